#!/usr/bin/env python3
"""tools/grafana-dashboards.py - writes the two Grafana dashboards of
conf/grafana/ (one for Icinga 2's InfluxdbWriter, one for its
GraphiteWriter) from one description of the panels, so that both draw the
same curves from the same perfdata labels.

    tools/grafana-dashboards.py conf/grafana     # rewrite both
    tools/grafana-dashboards.py --check conf/grafana

The labels are the plugin's (README, "Perfdata"); t_dashboard checks the
queries against the plugin's real output and a real Icinga 2's writers.
"""
import json
import sys

# (title, unit, [(label, field, legend, colour, style)]); style: area,
# line, dash.  Titles use the dashboard variables $process, $hostname.
PANELS = [
    ("$process on $hostname: memory, fitted floor and limit", "bytes", [
        ("mem", "value", "memory", "#1c71d8", "area"),
        ("floor", "value", "fitted floor (trend)", "#613583", "line"),
        ("limit", "value", "limit (forecast target)", "#a51d2d", "line"),
        ("baseline", "value", "baseline", "#26a269", "line"),
        ("mem", "warn", "warning", "#e5a50a", "dash"),
        ("mem", "crit", "critical", "#c01c28", "dash"),
    ]),
    ("$process on $hostname: time until the limit", "s", [
        ("timeleft", "value", "time left", "#c64600", "area"),
        ("timeleft_warning", "value", "warning below", "#e5a50a", "dash"),
        ("timeleft_critical", "value", "critical below", "#c01c28", "dash"),
    ]),
    ("$process on $hostname: leak growth (bytes per hour)", "bytes", [
        ("growth", "value", "growth per hour", "#9141ac", "line"),
        ("growth", "warn", "warning", "#e5a50a", "dash"),
        ("growth", "crit", "critical", "#c01c28", "dash"),
    ]),
    ("$process on $hostname: instances", "none", [
        ("instances", "value", "instances", "#3d3846", "line"),
    ]),
]

CHECK_COMMAND = "async_leak"


def influx_target(ref, label, field, legend):
    q = ('SELECT mean("%s") FROM "%s" WHERE "hostname" =~ /^$hostname$/ AND '
         '"service" =~ /^$service$/ AND "metric" = \'%s\' AND $timeFilter '
         'GROUP BY time($__interval) fill(none)' % (field, CHECK_COMMAND, label))
    return {"refId": ref, "rawQuery": True, "resultFormat": "time_series",
            "query": q, "alias": legend}


def graphite_target(ref, label, field, legend):
    path = ("icinga2.$hostname.services.$service.%s.perfdata.%s.%s"
            % (CHECK_COMMAND, label, field))
    return {"refId": ref, "target": "alias(%s, '%s')" % (path, legend)}


def override(legend, colour, style):
    props = [{"id": "color", "value": {"mode": "fixed", "fixedColor": colour}}]
    if style == "area":
        props.append({"id": "custom.fillOpacity", "value": 25})
    if style == "dash":
        props.append({"id": "custom.lineStyle",
                      "value": {"fill": "dash", "dash": [10, 10]}})
    return {"matcher": {"id": "byName", "options": legend}, "properties": props}


def dashboard(kind):
    ds = {"type": kind, "uid": "${DS_%s}" % kind.upper()}
    panels = []
    for i, (title, unit, curves) in enumerate(PANELS):
        targets = []
        for j, (label, field, legend, _, _) in enumerate(curves):
            ref = chr(ord("A") + j)
            targets.append(influx_target(ref, label, field, legend) if kind == "influxdb"
                           else graphite_target(ref, label, field, legend))
        panels.append({
            "id": i + 1, "type": "timeseries", "title": title, "datasource": ds,
            "gridPos": {"h": 9 if i < 2 else 7, "w": 12 if i < 2 else 12,
                        "x": 0 if i % 2 == 0 else 12, "y": 0 if i < 2 else 9},
            "fieldConfig": {
                "defaults": {"unit": unit, "min": 0,
                             "custom": {"lineWidth": 2, "spanNulls": True}},
                "overrides": [override(legend, colour, style)
                              for (_, _, legend, colour, style) in curves],
            },
            "options": {"legend": {"displayMode": "table", "placement": "bottom",
                                   "calcs": ["lastNotNull", "max"]},
                        "tooltip": {"mode": "multi"}},
            "targets": targets,
        })
    if kind == "influxdb":
        host_q = 'SHOW TAG VALUES FROM "%s" WITH KEY = "hostname"' % CHECK_COMMAND
        svc_q = ('SHOW TAG VALUES FROM "%s" WITH KEY = "service" WHERE "hostname" =~ '
                 '/^$hostname$/' % CHECK_COMMAND)
    else:
        host_q = "icinga2.*"
        svc_q = "icinga2.$hostname.services.*"
    variables = [
        {"name": "hostname", "label": "Host", "type": "query", "datasource": ds,
         "query": host_q, "refresh": 1, "sort": 1, "includeAll": False},
        {"name": "service", "label": "Service", "type": "query", "datasource": ds,
         "query": svc_q, "refresh": 1, "sort": 1, "includeAll": False},
        # The process the service watches, for the titles; the Icinga Web
        # grafana module or a link can pass it as var-process=...
        {"name": "process", "label": "Process", "type": "textbox",
         "query": "Async.exe", "current": {"text": "Async.exe", "value": "Async.exe"}},
    ]
    name = "InfluxDB" if kind == "influxdb" else "Graphite"
    return {
        "__inputs": [{"name": "DS_%s" % kind.upper(), "label": name, "type": "datasource",
                      "pluginId": kind, "pluginName": name}],
        "__requires": [{"type": "datasource", "id": kind, "name": name, "version": "1.0.0"},
                       {"type": "panel", "id": "timeseries", "name": "Time series",
                        "version": ""}],
        "title": "check_async_leak: memory, trend and forecast (Icinga 2, %s)" % name,
        "uid": "check-async-leak-%s" % kind,
        "description": "Memory, fitted floor, limit and time left of one process watched "
                       "by check_async_leak, from Icinga 2's %sWriter." % (
                           "Influxdb" if kind == "influxdb" else "Graphite"),
        "tags": ["icinga2", "check_async_leak"],
        "schemaVersion": 36,
        "version": 1,
        "editable": True,
        "time": {"from": "now-7d", "to": "now"},
        "refresh": "5m",
        "templating": {"list": variables},
        "panels": panels,
    }


def main(argv):
    check = "--check" in argv
    out = [a for a in argv[1:] if a != "--check"][0]
    rc = 0
    for kind in ("influxdb", "graphite"):
        path = "%s/check_async_leak-%s.json" % (out, kind)
        text = json.dumps(dashboard(kind), indent=2, sort_keys=False) + "\n"
        if check:
            try:
                same = open(path).read() == text
            except OSError:
                same = False
            if not same:
                print("%s is stale: run tools/grafana-dashboards.py %s" % (path, out))
                rc = 1
        else:
            open(path, "w").write(text)
    return rc


if __name__ == "__main__":
    sys.exit(main(sys.argv))
