# Drives a real Jupyter kernel through jupyter_client for the tests (test/support/kernel.ts): reads a JSON
# spec on stdin — {"kernel": name, "cwd": dir, "cells": [{"code", "timeout", "interrupt_on", "interrupt_after",
# "linger"}]} — runs the cells in order in one kernel and prints one JSON document: per cell its status,
# error (ename, evalue, traceback), every iopub output (stream, display_data, update_display_data,
# execute_result, error) in order, the outputs that arrived after the cell ended (within "linger" seconds),
# whether an interrupt was sent and the seconds it took. "interrupt_on" is a regular expression on the
# cell's output so far (stream text and text/plain), "interrupt_after" seconds since the cell started:
# whichever comes first sends interrupt_kernel() (SIGINT, as the notebook's stop button). A "session"
# key per cell sends that cell's messages under another client session id (a reloaded page).
import json
import os
import re
import sys
import time

from jupyter_client.manager import KernelManager


def output_text(message):
    content = message["content"]
    kind = message["header"]["msg_type"]
    if kind == "stream":
        return content.get("text", "")
    if kind in ("display_data", "update_display_data", "execute_result"):
        return str(content.get("data", {}).get("text/plain", ""))
    if kind == "error":
        return content.get("ename", "") + ": " + content.get("evalue", "")
    return ""


def record(message):
    content = message["content"]
    return {"type": message["header"]["msg_type"], **{key: content[key] for key in ("name", "text", "data", "transient", "ename", "evalue", "traceback") if key in content}}


def run_cell(client, cell):
    if cell.get("session"):
        client.session.session = cell["session"]
    started = time.time()
    msg_id = client.execute(cell["code"], allow_stdin=False)
    timeout = cell.get("timeout", 300)
    pattern = re.compile(cell["interrupt_on"]) if cell.get("interrupt_on") else None
    interrupt_after = cell.get("interrupt_after")
    outputs, seen, interrupted_at, idle = [], "", None, False
    while not idle:
        if time.time() - started > timeout:
            raise SystemExit(json.dumps({"error": f"cell timed out after {timeout} s", "outputs": outputs}))
        try:
            message = client.get_iopub_msg(timeout=0.2)
        except Exception:
            message = None
        if message is not None and message.get("parent_header", {}).get("msg_id") == msg_id:
            kind = message["header"]["msg_type"]
            if kind == "status" and message["content"]["execution_state"] == "idle":
                idle = True
            elif kind in ("stream", "display_data", "update_display_data", "execute_result", "error"):
                outputs.append(record(message))
                seen += output_text(message)
        if interrupted_at is None and not idle and ((pattern and pattern.search(seen)) or (interrupt_after is not None and time.time() - started >= interrupt_after)):
            kernel_manager.interrupt_kernel()
            interrupted_at = time.time() - started
    reply = client.get_shell_msg(timeout=30)
    while reply["parent_header"].get("msg_id") != msg_id:
        reply = client.get_shell_msg(timeout=30)
    seconds = time.time() - started
    late = []
    linger_until = time.time() + cell.get("linger", 0)
    while time.time() < linger_until:
        try:
            message = client.get_iopub_msg(timeout=0.2)
        except Exception:
            continue
        if message["header"]["msg_type"] in ("stream", "display_data", "update_display_data", "execute_result", "error"):
            late.append(record(message))
    return {
        "status": reply["content"]["status"],
        "ename": reply["content"].get("ename"),
        "evalue": reply["content"].get("evalue"),
        "outputs": outputs,
        "late": late,
        "interrupted_at": interrupted_at,
        "seconds": seconds,
    }


spec = json.load(sys.stdin)
kernel_manager = KernelManager(kernel_name=spec.get("kernel", "tslab"))
kernel_manager.start_kernel(cwd=spec.get("cwd"))
client = kernel_manager.client()
client.start_channels()
try:
    client.wait_for_ready(timeout=120)
    results = []
    for cell in spec["cells"]:
        results.append(run_cell(client, cell))
    # The kernel (node) shares this stdout pipe and makes it non-blocking: a large document (plotly.js in
    # display_data) would be cut at the pipe's buffer size without blocking writes.
    os.set_blocking(sys.stdout.fileno(), True)
    print(json.dumps({"cells": results}))
finally:
    client.stop_channels()
    kernel_manager.shutdown_kernel(now=True)
