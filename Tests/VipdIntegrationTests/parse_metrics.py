#!/usr/bin/python3
"""Fetches a Prometheus text exposition and parses it with prometheus_client's own parser (Debian
python3-prometheus-client), printing the families as JSON for StatsPageTests.

Usage: parse_metrics.py URL USER PASSWORD
Output: {"NAME": {"type": TYPE, "samples": [[SAMPLE_NAME, {LABELS}, VALUE], ...]}, ...}
A document the parser rejects ends the script with status 1 and the parser's message.
"""
import base64
import json
import sys
import urllib.request

from prometheus_client.parser import text_string_to_metric_families

url, user, password = sys.argv[1:4]
request = urllib.request.Request(url)
request.add_header("Authorization", "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode())
with urllib.request.urlopen(request, timeout=20) as response:
    text = response.read().decode()
families = {}
for family in text_string_to_metric_families(text):
    families[family.name] = {
        "type": family.type,
        "samples": [[sample.name, sample.labels, sample.value] for sample in family.samples],
    }
print(json.dumps(families))
