"""Drives ferry with the published Kafka Connect REST client kafka-connect-py
(PyPI, used unchanged), over HTTPS with basic auth. Prints one line per
checked call; any failure raises and exits non-zero.

Environment: FERRY_URL, FERRY_AUTH (user:password), FERRY_CA (CA file),
SRC_FILE, TOPIC, NAME.
"""
import os
import time

import requests
from kafka_connect import KafkaConnect

url, auth, ca = os.environ["FERRY_URL"], os.environ["FERRY_AUTH"], os.environ["FERRY_CA"]
name, topic, src = os.environ["NAME"], os.environ["TOPIC"], os.environ["SRC_FILE"]
checks = 0


def check(what, cond):
    global checks
    if not cond:
        raise AssertionError(what)
    checks += 1
    print("ok", what, flush=True)


def until(what, fn, timeout=60):
    deadline = time.time() + timeout
    while True:
        if fn():
            return check(what, True)
        if time.time() > deadline:
            return check(what, False)
        time.sleep(0.25)


anon = KafkaConnect(url=url, ssl_verify=ca)
try:
    anon.list_connectors()
    check("unauthenticated call refused", False)
except requests.HTTPError as e:
    check("unauthenticated call refused with 401", e.response.status_code == 401)

kc = KafkaConnect(url=url, auth=auth, ssl_verify=ca)
check("cluster info", "version" in kc.get_cluster_info())
plugins = kc.list_connector_plugins()
check("plugins", any(p["class"].endswith("FileStreamSourceConnector") for p in plugins))
config = {"connector.class": "FileStreamSource", "file": src, "topic": topic}
v = kc.validate_connector_config("FileStreamSource", dict(config, name=name))
check("validate", v["error_count"] == 0 and len(v["configs"]) > 0)
created = kc.create_connector({"name": name, "config": config})
check("create", created["name"] == name and created["type"] == "source")
check("list", name in kc.list_connectors())
check("list expanded", kc.list_connectors(expand="status")[name]["status"]["name"] == name)
check("get", kc.get_connector(name)["config"]["topic"] == topic)
check("get config", kc.get_connector_config(name)["file"] == src)
until("status running", lambda: kc.get_connector_status(name)["tasks"][:1] == [] or
      kc.get_connector_status(name)["tasks"][0]["state"] == "RUNNING")
check("tasks", kc.list_connector_tasks(name)[0]["id"]["task"] == 0)
check("task status", kc.get_connector_task_status(name, 0)["id"] == 0)
updated = kc.update_connector(name, dict(config, **{"batch.size": "100"}))
check("update", updated["config"]["batch.size"] == "100")
kc.pause_connector(name)
until("paused", lambda: kc.get_connector_status(name)["connector"]["state"] == "PAUSED")
kc.resume_connector(name)
until("resumed", lambda: kc.get_connector_status(name)["connector"]["state"] == "RUNNING")
check("restart", kc.restart_connector(name) is None)
restarted = kc.restart_connector(name, include_tasks=True)
check("restart with tasks", restarted["connector"]["state"] == "RESTARTING")
kc.restart_connector_task(name, 0)
check("restart task", True)
until("topics", lambda: topic in kc.list_connector_topics(name)[name]["topics"])
kc.reset_connector_topics(name)
check("reset topics", True)
kc.stop_connector(name)
until("stopped", lambda: kc.get_connector_status(name)["connector"]["state"] == "STOPPED")
kc.delete_connector(name)
check("delete", name not in kc.list_connectors())
print("pyclient: %d checks passed" % checks, flush=True)
