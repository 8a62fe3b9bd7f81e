# The real huggingface_hub, driven by the interop tests (test/hub/python-interop.test.ts): argv[1] is a JSON list of
# calls [{"op": name, "args": {...}}]; stdout's last line is a JSON list with one {"result": ...} or
# {"error": class name, "message": first line} per call, in order. "encode" loads a SentenceTransformer
# (sentence-transformers) and returns the embeddings of `sentences`. The environment (HF_HOME, HF_ENDPOINT, HF_TOKEN,
# HF_HUB_OFFLINE) is the test's.
import json
import sys

import huggingface_hub


def scan_cache(args):
    info = huggingface_hub.scan_cache_dir(args.get("cache_dir"))
    return {
        "repos": [
            {
                "repo_id": repo.repo_id,
                "repo_type": repo.repo_type,
                "nb_files": repo.nb_files,
                "refs": sorted(repo.refs),
                "revisions": sorted(revision.commit_hash for revision in repo.revisions),
            }
            for repo in sorted(info.repos, key=lambda repo: repo.repo_id)
        ],
        "warnings": [str(warning) for warning in info.warnings],
        "table": info.export_as_table(verbosity=1),
    }


def encode(args):
    from sentence_transformers import SentenceTransformer  # imported only here: torch takes seconds

    model = SentenceTransformer(args["model"], cache_folder=args.get("cache_folder"), local_files_only=args.get("local_files_only", False))
    return model.encode(args["sentences"]).tolist()


OPERATIONS = {
    "snapshot_download": lambda args: huggingface_hub.snapshot_download(**args),
    "hf_hub_download": lambda args: huggingface_hub.hf_hub_download(**args),
    "scan_cache_dir": scan_cache,
    "encode": encode,
}

results = []
for call in json.loads(sys.argv[1]):
    try:
        results.append({"result": OPERATIONS[call["op"]](call.get("args", {}))})
    except Exception as error:  # reported to the test, which asserts on the class and message
        results.append({"error": type(error).__name__, "message": str(error).splitlines()[0] if str(error) else ""})
print(json.dumps(results))
