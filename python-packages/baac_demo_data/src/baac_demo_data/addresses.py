"""Free-text `adr` and `voie` of demo accidents, in the styles police reports use.

Real files mix `15 rue François Nicolas`, `REPUBLIQUE (RUE DE LA)`, `AV FRANCOIS MITTERRAND`,
`D20`, `A6 PK 234.500`, `N/A`, straight and curly apostrophes, a comma inside the address
(which forces quoting in comma-separated files), stray spaces and names padded to 36
characters in `voie`. Every character is encodable in cp1252, so old-layout files can hold
them.
"""

from __future__ import annotations

import operator
import unicodedata
from functools import reduce

import numpy as np

from baac_demo_data.figures import NEW_LAYOUT_FROM

STREET_TYPES = (
    ("Rue", "R"), ("Avenue", "AV"), ("Boulevard", "BD"), ("Chemin", "CHE"), ("Route", "RTE"),
    ("Place", "PL"), ("Allée", "ALL"), ("Impasse", "IMP"), ("Quai", "QU"), ("Cours", "CRS"),
)  # fmt: skip
STREET_NAMES = (
    ("de la", "République"), ("", "Victor Hugo"), ("du", "Général de Gaulle"),
    ("d’", "Arcole"), ("de l'", "Église"), ("des", "Écoles"), ("", "Jean Jaurès"),
    ("", "Pasteur"), ("", "Émile Zola"), ("", "Gambetta"), ("", "Jules Ferry"),
    ("du", "Maréchal Foch"), ("des", "Tilleuls"), ("du", "Moulin"), ("de la", "Gare"),
    ("", "Saint-Éloi"), ("", "François Mitterrand"), ("de la", "Libération"), ("du", "Stade"),
    ("de", "Paris"), ("", "Aristide Briand"), ("", "Carnot"), ("des", "Frères Lumière"),
    ("de la", "Paix"), ("", "Léon Blum"), ("du", "8 Mai 1945"), ("", "Anatole France"),
    ("des", "Peupliers"), ("du", "Château"), ("", "Jules Vallès"), ("du", "Pont d’Arcole"),
    ("", "Édouard Branly"), ("", "Jean Moulin"), ("de l'", "Hôtel de Ville"),
    ("des", "Acacias"), ("du", "Lavoir"), ("", "Pierre et Marie Curie"), ("de la", "Forêt"),
    ("des", "Vignes"), ("", "Notre-Dame"), ("de", "Verdun"), ("", "Sœur Thérèse Couderc"),
    ("d'", "Estienne d'Orves"), ("du", "Faubourg Saint-Honoré"), ("des", "Œillets"),
)  # fmt: skip
PLACE_NAMES = (
    'LIEU DIT "LA CROIX BLANCHE"', "ZONE ARTISANALE DES PRÉS", "CENTRE COMMERCIAL", "PARKING",
    "ROND POINT DE L'EUROPE", "SORTIE 12", "Aire de repos", "lieu-dit les Granges",
)  # fmt: skip
N, PK, PR = "{n}", "{pk}", "{pr}"
ROAD_FORMS = {
    1: (
        ("A", N),
        ("A", N, " PK ", PK),
        ("AUTOROUTE A", N),
        (" A", N),
        ("A", N, " sens PARIS-PROVINCE"),
    ),
    2: (
        ("RN", N),
        ("RN ", N),
        ("N", N),
        ("RN", N, " - PK ", PK),
        ("ROUTE NATIONALE ", N),
        ("RN", N, " "),
    ),
    3: (
        ("D", N),
        ("CD ", N),
        ("RD", N),
        ("ROUTE DEPARTEMENTALE ", N),
        ("D", N, " PR ", PR),
        ("CD ", N, "-PK ", PK),
    ),
}
"""Address forms by road category (motorway, national, departmental): text and placeholders
for the road number, a kilometre point and a milestone."""
STREET_FORM_WEIGHTS = np.array([0.22, 0.25, 0.2, 0.12, 0.08, 0.05, 0.04, 0.04])
"""Type+name, number+type+name, NAME (TYPE), SHORT NAME, number, type: comma, trailing space,
place name."""
NOT_GIVEN_TEXT_SHARE = 0.015


def _plain_upper(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.replace("Œ", "OE").replace("œ", "oe"))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).upper()


def _join(particle: str, name: str) -> str:
    if not particle:
        return name
    return f"{particle}{name}" if particle.endswith(("'", "’")) else f"{particle} {name}"


def _street_forms() -> np.ndarray:
    """Every street written every way: [form, type, name]; house numbers are added later."""
    forms = np.empty((len(STREET_FORM_WEIGHTS), len(STREET_TYPES), len(STREET_NAMES)), object)
    for t, (kind, short) in enumerate(STREET_TYPES):
        for s, (particle, name) in enumerate(STREET_NAMES):
            full = f"{kind} {_join(particle, name)}"
            upper_particle = f" {_plain_upper(particle)}".rstrip() if particle else ""
            forms[0, t, s] = full
            forms[1, t, s] = f"{kind.lower()} {_join(particle, name)}"
            forms[2, t, s] = f"{_plain_upper(name)} ({_plain_upper(kind)}{upper_particle})"
            forms[3, t, s] = f"{short} {_plain_upper(name)}"
            forms[4, t, s] = f", {kind.lower()} {_join(particle, name)}"
            forms[5, t, s] = f"{full} "
            forms[6, t, s] = full.upper()
            forms[7, t, s] = PLACE_NAMES[(t * len(STREET_NAMES) + s) % len(PLACE_NAMES)]
    return forms


def _voie_forms() -> np.ndarray:
    """Street names as `voie` gives them: `NAME (TYPE)` or padded to 36 + `(T )`: [style, t, s]."""
    forms = np.empty((2, len(STREET_TYPES), len(STREET_NAMES)), object)
    for t, (kind, short) in enumerate(STREET_TYPES):
        for s, (particle, name) in enumerate(STREET_NAMES):
            upper_particle = f" {_plain_upper(particle)}".rstrip() if particle else ""
            forms[0, t, s] = f"{_plain_upper(name)} ({_plain_upper(kind)}{upper_particle})"
            forms[1, t, s] = f"{_plain_upper(name):<36}({short[:2]:<2})"
    return forms


STREETS = _street_forms()
VOIES = _voie_forms()


def _roads(rng: np.random.Generator, catr: np.ndarray, number: np.ndarray) -> np.ndarray:
    """Addresses of motorways, national and departmental roads from their numbers."""
    size = len(catr)
    kilometre = rng.integers(0, 400, size)
    metres = rng.integers(0, 1000, size)
    values = {
        N: number.astype(str).astype(object),
        PK: np.char.add(
            np.char.add(kilometre.astype(str), np.where(catr == 1, ".", "+")),
            np.char.zfill(metres.astype(str), 3),
        ).astype(object),
        PR: (kilometre // 2).astype(str).astype(object),
    }
    text = np.empty(size, dtype=object)
    for category, forms in ROAD_FORMS.items():
        rows = np.flatnonzero(catr == category)
        choice = rng.integers(0, len(forms), len(rows))
        for index, parts in enumerate(forms):
            picked = rows[choice == index]
            pieces = [values[p][picked] if p in values else p for p in parts]
            text[picked] = reduce(operator.add, pieces)
    return text


def addresses(
    rng: np.random.Generator, catr: np.ndarray, road_number: np.ndarray, year: int
) -> tuple[np.ndarray, np.ndarray]:
    """`adr` and `voie` of accidents (None where not given).

    Roads (categories 1-3) are named from `road_number`; other places get a street. `voie`
    holds the road number, or in 2019+ files the street name too; older files leave it empty
    off numbered roads.
    """
    size = len(catr)
    on_road = np.isin(catr, (1, 2, 3))
    street_type = rng.integers(0, len(STREET_TYPES), size)
    street_name = rng.integers(0, len(STREET_NAMES), size)
    weights = STREET_FORM_WEIGHTS / STREET_FORM_WEIGHTS.sum()
    form = rng.choice(len(weights), size, p=weights)
    adr = STREETS[form, street_type, street_name]
    house = rng.integers(1, 200, size).astype(str).astype(object)
    spaced = form == 1
    adr[spaced] = house[spaced] + " " + adr[spaced]
    comma = form == 4
    adr[comma] = house[comma] + adr[comma]
    road_rows = np.flatnonzero(on_road)
    adr[road_rows] = _roads(rng, catr[road_rows], road_number[road_rows])
    adr[rng.random(size) < NOT_GIVEN_TEXT_SHARE] = None

    voie = np.full(size, None, dtype=object)
    voie[on_road] = road_number[on_road].astype(str).astype(object)
    if year >= NEW_LAYOUT_FROM:
        style = (rng.random(size) < 0.2).astype(np.int64)
        streets = VOIES[style, street_type, street_name]
        voie[~on_road] = streets[~on_road]
        voie[rng.random(size) < 0.15] = None
    return adr, voie
