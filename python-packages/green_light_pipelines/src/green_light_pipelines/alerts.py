"""Failure e-mails, as the 2024 platform sent them: to the Airflow Variable `alert_email`.

The SMTP server comes from our settings (`GLS_SMTP_*`); no credential lives in the
repository. Without the Variable or without an SMTP host, nothing is sent and a log line
says why. A callback must never raise: an alert that cannot be sent is logged.
"""

from __future__ import annotations

import logging
import smtplib
from email.message import EmailMessage
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from green_light_pipelines.settings import SmtpSection

log = logging.getLogger(__name__)

ALERT_VARIABLE = "alert_email"


def failure_message(sender: str, to: str, facts: dict[str, str]) -> EmailMessage:
    """The alert: the DAG, the task (and mapped index), the run, the error and the log link."""
    message = EmailMessage()
    task = facts["task"] + (f"[{facts['map_index']}]" if facts.get("map_index") else "")
    message["Subject"] = f"[Green Light] {facts['dag']}.{task} failed"
    message["From"] = sender
    message["To"] = to
    message.set_content(
        "\n".join(
            [
                f"DAG: {facts['dag']}",
                f"Task: {task}",
                f"Run: {facts['run']}",
                f"Try: {facts['try']}",
                f"Error: {facts['error']}",
                f"Log: {facts['log']}",
            ]
        )
    )
    return message


def send(smtp: SmtpSection, message: EmailMessage) -> None:
    assert smtp.host is not None
    with smtplib.SMTP(smtp.host, smtp.port, timeout=10) as server:
        if smtp.starttls:
            server.starttls()
        if smtp.user and smtp.password:
            server.login(smtp.user, smtp.password.get_secret_value())
        server.send_message(message)


def _facts(context: dict) -> dict[str, str]:
    ti = context["ti"]
    map_index = getattr(ti, "map_index", -1)
    return {
        "dag": ti.dag_id,
        "task": ti.task_id,
        "map_index": str(map_index) if map_index is not None and map_index >= 0 else "",
        "run": str(ti.run_id),
        "try": str(getattr(ti, "try_number", "")),
        "error": str(context.get("exception") or "unknown"),
        "log": str(getattr(ti, "log_url", "")),
    }


def alert_on_failure(context: dict) -> None:
    """`on_failure_callback` of every task of our DAGs."""
    from airflow.sdk import Variable

    from green_light_pipelines.settings import SmtpSection

    facts = _facts(context)
    try:
        to = Variable.get(ALERT_VARIABLE, default=None)
    except Exception:  # a failing callback would hide the task's own failure
        log.exception("could not read the Variable %s: no alert e-mail", ALERT_VARIABLE)
        return
    if not to:
        log.warning(
            "the Variable %s is not set: no alert e-mail for %s.%s",
            ALERT_VARIABLE,
            facts["dag"],
            facts["task"],
        )
        return
    smtp = SmtpSection()
    if smtp.host is None:
        log.warning("GLS_SMTP_HOST is not set: no alert e-mail to %s", to)
        return
    try:
        send(smtp, failure_message(smtp.sender, to, facts))
    except (OSError, smtplib.SMTPException):
        log.exception("the alert e-mail to %s could not be sent", to)
        return
    log.info("alert e-mail sent", extra={"to": to, "dag": facts["dag"], "task": facts["task"]})
