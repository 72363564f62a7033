import sqlite3

import pytest

from leyden.app.storage import MIGRATIONS, Store, StoreError, TaskRecord, TemplateRecord


@pytest.fixture
def store(tmp_path):
    s = Store.open(tmp_path / "data" / "leyden.db")
    yield s
    s.close()


def task(task_id, **kw):
    return TaskRecord(id=task_id, type="stream", script="stream", **kw)


def test_new_store_is_at_the_latest_schema_with_wal(tmp_path, store):
    assert store.version == len(MIGRATIONS)
    conn = sqlite3.connect(tmp_path / "data" / "leyden.db")
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    conn.close()


def test_tasks_round_trip_and_survive_reopening(tmp_path, store):
    record = task(
        "cpu",
        dbrps=[{"db": "telegraf", "rp": "autogen"}],
        vars={"p": {"type": "duration", "value": 10, "description": ""}},
        status="enabled",
        created=1,
        modified=2,
        last_enabled=3,
    )
    store.put_task(record)
    store.close()
    reopened = Store.open(tmp_path / "data" / "leyden.db")
    assert reopened.task("cpu") == record
    assert reopened.count_tasks() == (1, 1)
    reopened.close()


def test_tasks_are_listed_by_id_with_glob_offset_and_limit(store):
    for name in ("b_alert", "a_alert", "c", "d_alert"):
        store.put_task(task(name))
    assert [t.id for t in store.tasks()] == ["a_alert", "b_alert", "c", "d_alert"]
    assert [t.id for t in store.tasks("*_alert")] == ["a_alert", "b_alert", "d_alert"]
    assert [t.id for t in store.tasks("*_alert", offset=1, limit=1)] == ["b_alert"]
    assert [t.id for t in store.tasks("c")] == ["c"]


def test_template_and_its_tasks_change_together_or_not_at_all(store):
    store.put_template(TemplateRecord("tpl", "stream", "old"))
    store.put_task(task("t1", template_id="tpl"))
    store.put_task(task("other"))
    assert [t.id for t in store.tasks_of_template("tpl")] == ["t1"]
    broken = task("t2", template_id="tpl")
    broken.dbrps = [{"db": object()}]  # cannot be stored: the whole update must roll back
    with pytest.raises(TypeError):
        store.put_template_and_tasks(
            TemplateRecord("tpl", "stream", "new"), [task("t1", template_id="tpl"), broken]
        )
    assert store.template("tpl").script == "old"
    assert store.task("t2") is None


def test_deletes_and_errors(store):
    store.put_task(task("t"))
    store.set_task_error("t", "boom")
    assert store.task("t").error == "boom"
    store.delete_task("t")
    store.delete_task("never-existed")
    assert store.task("t") is None
    store.put_template(TemplateRecord("tpl", "batch", "batch"))
    store.delete_template("tpl")
    assert store.templates() == []


def test_meta_values(store):
    assert store.meta("cluster_id") is None
    store.set_meta("cluster_id", "abc")
    assert store.meta("cluster_id") == "abc"


def test_a_store_from_a_newer_leyden_is_refused(tmp_path):
    path = tmp_path / "leyden.db"
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 1}")
    conn.close()
    with pytest.raises(StoreError, match="newer than this leyden"):
        Store.open(path)


def test_a_file_that_is_no_database_is_refused_naming_it(tmp_path):
    path = tmp_path / "leyden.db"
    path.write_text("not sqlite " * 20)
    with pytest.raises(StoreError, match=f"cannot open the store {path}: file is not a database"):
        Store.open(path)


def test_an_interrupted_migration_leaves_the_old_version(tmp_path, monkeypatch):
    path = tmp_path / "leyden.db"
    monkeypatch.setattr("leyden.app.storage.MIGRATIONS", [*MIGRATIONS, ("CREATE TABLE extra (x)", "NOT SQL")])
    with pytest.raises(sqlite3.OperationalError):
        Store.open(path)
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
    assert conn.execute("SELECT name FROM sqlite_master WHERE name = 'extra'").fetchone() is None
    conn.close()


def test_other_areas_write_their_tables_through_the_connection_in_one_transaction(store):
    conn = store.connection
    with store.transaction():
        conn.execute("INSERT INTO meta (key, value) VALUES ('a', '1')")
    with pytest.raises(sqlite3.IntegrityError), store.transaction():
        conn.execute("INSERT INTO meta (key, value) VALUES ('b', '2')")
        conn.execute("INSERT INTO meta (key, value) VALUES ('a', '3')")
    assert (store.meta("a"), store.meta("b")) == ("1", None)
