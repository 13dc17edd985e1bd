"""The file checksums behind the skip of unchanged years and the watcher's pending years."""

import os

from road_accidents_database_ingestion import registry


def test_a_file_rewritten_in_place_gets_a_new_checksum(tmp_path) -> None:
    path = tmp_path / "usagers-2021.csv"
    path.write_text("a;b\n1;2\n")
    first = registry.fingerprint(path)
    stat = path.stat()
    path.write_text("a;b\n3;4\n")  # same size
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    second = registry.fingerprint(path)
    assert first.size == second.size
    assert first.sha256 != second.sha256


def test_an_unchanged_file_is_not_read_again(tmp_path) -> None:
    path = tmp_path / "lieux-2021.csv"
    path.write_text("Num_Acc;catr\n202100000001;4\n")
    first = registry.fingerprint(path)
    hits = registry._sha256.cache_info().hits
    assert registry.fingerprint(path) == first
    assert registry._sha256.cache_info().hits == hits + 1
