# The real `datasets`, driven by test/data/datasets-interop.test.ts: argv[1] is a JSON list of calls
# {"path", "name"?, "split"?, "data_dir"?, "data_files"?} (load_dataset) or {"config_names": path} (get_dataset_config_names); stdout's last line
# is a JSON list with, per call, {"result": ...} — a Dataset as {"columns", "rows"}, a DatasetDict as
# [[split, dataset], ...] in its order, config names as a list — or {"error": class name, "message": ...}.
# The dataset viewer's parquet export is switched off: datasets asks it on "datasets-server." + HF_ENDPOINT's host,
# which no HF_ENDPOINT on 127.0.0.1 can name; it only adds dataset_infos, never data files.
import json
import sys

import datasets

datasets.config.USE_PARQUET_EXPORT = False


def table(dataset):
    return {"columns": list(dataset.column_names), "rows": [dict(row) for row in dataset]}


def run(call):
    if "config_names" in call:
        return datasets.get_dataset_config_names(call["config_names"])
    loaded = datasets.load_dataset(call["path"], call.get("name"), split=call.get("split"), data_dir=call.get("data_dir"), data_files=call.get("data_files"))
    if isinstance(loaded, datasets.DatasetDict):
        return [[split, table(dataset)] for split, dataset in loaded.items()]
    return table(loaded)


results = []
for call in json.loads(sys.argv[1]):
    try:
        results.append({"result": run(call)})
    except Exception as error:  # reported to the test, which compares class and message
        results.append({"error": type(error).__name__, "message": str(error)})
print(json.dumps(results))
