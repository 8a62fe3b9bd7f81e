// The model card (README.md, reference §1.8): sentence-transformers' front matter and sections, the
// module repr in Python-dict style (of whatever modules there are: Pooling, Dense, Normalize), the
// training-log and metric tables, sample cells cut and escaped, sections without data left out,
// deterministic text, and savePretrained writing exactly this card.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, test } from "node:test";
import { initializeBackend } from "../../src/backend.ts";
import { initModel } from "../../src/generator/init-model.ts";
import { architectureRepr, pythonRepr, renderModelCard, type ModelCardData } from "../../src/models/model-card.ts";
import { Dense } from "../../src/models/modules/dense.ts";
import { Normalize } from "../../src/models/modules/normalize.ts";
import { Pooling } from "../../src/models/modules/pooling.ts";
import { SentenceTransformer } from "../../src/models/sentence-transformer.ts";
import { EMBEDTUNE_VERSION } from "../../src/version.ts";
import { temporaryDirectory } from "../support/temp.ts";

await initializeBackend({ quiet: true });

const workspace = temporaryDirectory();
const modelDirectory = join(workspace, "model");
await initModel({ out: modelDirectory, hidden: 16, layers: 1, heads: 2, intermediate: 32, vocabSize: 600, seed: 3 });
const model = await SentenceTransformer.load(modelDirectory, { quiet: true });
after(() => model.dispose());

const LONG_TEXT = "abcdefghij".repeat(30); // 300 characters
const STS_KEYS = ["cosine", "manhattan", "euclidean", "dot", "max"].flatMap((fn) => [`pearson_${fn}`, `spearman_${fn}`]);

function trainedCardData(): ModelCardData {
  return {
    baseModel: "sentence-transformers/all-MiniLM-L6-v2",
    language: "en",
    license: "apache-2.0",
    trainDataset: {
      name: "stsb",
      size: 5749,
      columns: ["sentence1", "sentence2", "score"],
      samples: [
        { sentence1: "A plane is taking off.", sentence2: "An air plane | is taking off.", score: 1 },
        { sentence1: LONG_TEXT, sentence2: "A man is playing a flute.", score: 0.76 },
        { sentence1: "Three men are playing chess.", sentence2: "Two men are playing chess.", score: 0.52 },
        { sentence1: "never shown", sentence2: "never shown", score: 0 },
      ],
    },
    loss: { name: "CoSENTLoss", config: { scale: 20, similarity_fct: "pairwise_cos_sim" } },
    hyperparameters: {
      nonDefault: { eval_strategy: "steps", per_device_train_batch_size: 16, learning_rate: 2e-5, fp16: false },
      all: {
        eval_strategy: "steps",
        per_device_train_batch_size: 16,
        learning_rate: 2e-5,
        num_train_epochs: 3,
        warmup_ratio: 0.1,
        fp16: false,
        report_to: [],
        resume_from_checkpoint: null,
        batch_sampler: "batch_sampler",
      },
    },
    trainingLogs: [
      { Epoch: 0.5, Step: 100, "Training Loss": 4.56789, "Validation Loss": 4.2, "sts-dev_spearman_cosine": 0.71234 },
      { Epoch: 1, Step: 200, "Training Loss": 4.1, "Validation Loss": 4.05, "sts-dev_spearman_cosine": 0.80001 },
      { Epoch: 1.5, Step: 300, "Training Loss": 3.9, "sts-dev_spearman_cosine": 0.79 },
    ],
    bestModelStep: 200,
    evaluation: [
      {
        evaluatorName: "sts-dev",
        className: "EmbeddingSimilarityEvaluator",
        primaryMetric: "sts-dev_spearman_max",
        metrics: Object.fromEntries(STS_KEYS.map((key, index) => [`sts-dev_${key}`, 0.8 + index / 1000 + 0.00004])),
      },
    ],
  };
}

function renderWith(data: ModelCardData): string {
  const saved = model.modelCardData;
  model.modelCardData = data;
  try {
    return renderModelCard(model);
  } finally {
    model.modelCardData = saved;
  }
}

/** The lines between the opening and closing `---`. */
function frontMatter(card: string): string[] {
  const lines = card.split("\n");
  assert.equal(lines[0], "---");
  const end = lines.indexOf("---", 1);
  assert.ok(end > 0, "front matter is closed");
  return lines.slice(1, end).filter((line) => !line.startsWith("#"));
}

/** The lines of the first fenced block after `heading`. */
function blockAfter(card: string, heading: string, fence = "```"): string {
  const start = card.indexOf(heading);
  assert.ok(start >= 0, `${heading} present`);
  const open = card.indexOf(`${fence}\n`, start);
  const close = card.indexOf("\n```", open + fence.length + 1);
  return card.slice(open + fence.length + 1, close);
}

/** The section from `heading` up to the next heading of the same or a higher level. */
function section(card: string, heading: string): string {
  const start = card.indexOf(`\n${heading}\n`);
  assert.ok(start >= 0, `${heading} present`);
  const level = heading.split(" ")[0];
  const rest = card.slice(start + heading.length + 2);
  const next = rest.search(new RegExp(`\\n#{1,${level.length}} `));
  return next < 0 ? rest : rest.slice(0, next);
}

test("front matter has sentence-transformers' fields, with the training tags and evaluator metrics", () => {
  assert.deepEqual(frontMatter(renderWith(trainedCardData())), [
    "language:",
    "- en",
    "license: apache-2.0",
    "library_name: sentence-transformers",
    "tags:",
    "- sentence-transformers",
    "- sentence-similarity",
    "- feature-extraction",
    "- generated_from_trainer",
    "- dataset_size:5749",
    "- loss:CoSENTLoss",
    "metrics:",
    ...STS_KEYS.map((key) => `- ${key}`),
    "pipeline_tag: sentence-similarity",
    "base_model: sentence-transformers/all-MiniLM-L6-v2",
  ]);
});

test("title, intro and Model Details list what is known", () => {
  const card = renderWith(trainedCardData());
  assert.match(card, /\n# SentenceTransformer based on sentence-transformers\/all-MiniLM-L6-v2\n/);
  assert.match(card, /It maps sentences & paragraphs to a 16-dimensional dense vector space/);
  assert.ok(card.includes(`fine-tuned with embedtune ${EMBEDTUNE_VERSION}`));
  assert.equal(
    section(card, "### Model Description").trim(),
    [
      "- **Model Type:** Sentence Transformer",
      "- **Base model:** [sentence-transformers/all-MiniLM-L6-v2](https://huggingface.co/sentence-transformers/all-MiniLM-L6-v2)",
      "- **Maximum Sequence Length:** 128 tokens",
      "- **Output Dimensionality:** 16 dimensions",
      "- **Similarity Function:** Cosine Similarity",
      "- **Training Dataset:** stsb (5,749 samples)",
      "- **Language:** en",
      "- **License:** apache-2.0",
    ].join("\n"),
  );
  assert.match(renderWith({ ...trainedCardData(), modelName: "My STS model" }), /\n# My STS model\n/);
});

test("Full Model Architecture is sentence-transformers' module repr", () => {
  assert.equal(
    blockAfter(renderWith(trainedCardData()), "### Full Model Architecture"),
    "SentenceTransformer(\n" +
      "  (0): Transformer({'max_seq_length': 128, 'do_lower_case': False}) with Transformer model: BertModel \n" +
      "  (1): Pooling({'word_embedding_dimension': 16, 'pooling_mode_cls_token': False, 'pooling_mode_mean_tokens': True, " +
      "'pooling_mode_max_tokens': False, 'pooling_mode_mean_sqrt_len_tokens': False, 'pooling_mode_weightedmean_tokens': False, " +
      "'pooling_mode_lasttoken': False, 'include_prompt': True})\n" +
      "  (2): Normalize()\n" +
      ")",
  );
});

test("the architecture lists whatever modules there are: a Dense between Pooling and Normalize", () => {
  const modules = [
    new Pooling(4, "cls"),
    new Dense(4, 2, "Tanh", new Float32Array(8), new Float32Array(2)),
    new Dense(2, 2, "Identity", new Float32Array(4), undefined),
    new Normalize(2),
  ];
  try {
    assert.equal(
      architectureRepr("Transformer({'max_seq_length': 8, 'do_lower_case': True}) with Transformer model: BertModel ", modules),
      "SentenceTransformer(\n" +
        "  (0): Transformer({'max_seq_length': 8, 'do_lower_case': True}) with Transformer model: BertModel \n" +
        "  (1): Pooling({'word_embedding_dimension': 4, 'pooling_mode_cls_token': True, 'pooling_mode_mean_tokens': False, " +
        "'pooling_mode_max_tokens': False, 'pooling_mode_mean_sqrt_len_tokens': False, 'pooling_mode_weightedmean_tokens': False, " +
        "'pooling_mode_lasttoken': False, 'include_prompt': True})\n" +
        "  (2): Dense({'in_features': 4, 'out_features': 2, 'bias': True, 'activation_function': 'torch.nn.modules.activation.Tanh'})\n" +
        "  (3): Dense({'in_features': 2, 'out_features': 2, 'bias': False, 'activation_function': 'torch.nn.modules.linear.Identity'})\n" +
        "  (4): Normalize()\n" +
        ")",
    );
  } finally {
    for (const module of modules) module.dispose();
  }
});

test("Usage shows embedtune and Python snippets with the real dimension", () => {
  const card = renderWith(trainedCardData());
  const typescript = blockAfter(card, "### Direct Usage (embedtune)", "```typescript");
  assert.match(typescript, /SentenceTransformer\.load\(/);
  assert.match(typescript, /await model\.encode\(sentences\)/);
  assert.match(typescript, /\/\/ \[ 3, 16 \]/);
  assert.match(typescript, /model\.similarity\(embeddings, embeddings\)/);
  const python = blockAfter(card, "### Direct Usage (Sentence Transformers)", "```python");
  assert.match(python, /from sentence_transformers import SentenceTransformer/);
  assert.match(python, /"It's so sunny outside!",/);
  assert.match(python, /# \[3, 16\]\n/);
  assert.match(python, /# \[3, 3\]$/);
});

test("Evaluation has one metric table per evaluator, values with 4 decimals and the primary metric bold", () => {
  const metrics = section(renderWith(trainedCardData()), "#### Semantic Similarity");
  assert.match(metrics, /\* Dataset: `sts-dev`/);
  assert.match(metrics, /\* Evaluated with \[<code>EmbeddingSimilarityEvaluator<\/code>\]/);
  const rows = metrics.split("\n").filter((line) => line.startsWith("|"));
  assert.equal(rows.length, 2 + 10);
  assert.equal(rows[0], "| Metric             | Value      |");
  assert.equal(rows[1], "|:-------------------|:-----------|");
  assert.equal(rows[2], "| pearson_cosine     | 0.8000     |");
  assert.equal(rows[3], "| spearman_cosine    | 0.8010     |");
  assert.equal(rows[11], "| **spearman_max**   | **0.8090** |");
  for (const row of rows.slice(2)) assert.match(row, /^\| \S+ +\| (\*\*)?\d\.\d{4}(\*\*)? +\|$/);
});

test("training dataset: size, columns, 3 samples with | escaped and long text cut, loss config as JSON", () => {
  const dataset = section(renderWith(trainedCardData()), "### Training Dataset");
  assert.match(dataset, /\* Size: 5,749 training samples/);
  assert.match(dataset, /\* Columns: <code>sentence1<\/code>, <code>sentence2<\/code>, and <code>score<\/code>/);
  const sampleRows = dataset.split("\n").filter((line) => line.startsWith("  |"));
  assert.equal(sampleRows.length, 2 + 3, "header, separator and three samples");
  assert.match(sampleRows[0], /^ {2}\| sentence1 +\| sentence2 +\| score +\|$/);
  assert.ok(sampleRows[2].includes("<code>An air plane \\| is taking off.</code>"));
  assert.ok(sampleRows[3].includes(`<code>${LONG_TEXT.slice(0, 100)}...</code>`));
  assert.ok(!sampleRows[3].includes(LONG_TEXT.slice(0, 101)));
  assert.ok(sampleRows[3].includes("<code>0.76</code>"));
  assert.ok(!dataset.includes("never shown"));
  assert.ok(dataset.includes("* Loss: [<code>CoSENTLoss</code>](https://sbert.net/docs/package_reference/sentence_transformer/losses.html#cosentloss) with these parameters:"));
  assert.ok(dataset.includes('  ```json\n  {\n      "scale": 20,\n      "similarity_fct": "pairwise_cos_sim"\n  }\n  ```'));
});

test("hyperparameters: Non-Default list and All list in <details>, in Python's str()", () => {
  const hyperparameters = section(renderWith(trainedCardData()), "### Training Hyperparameters");
  assert.ok(
    hyperparameters.includes(
      "#### Non-Default Hyperparameters\n\n- `eval_strategy`: steps\n- `per_device_train_batch_size`: 16\n" +
        "- `learning_rate`: 2e-05\n- `fp16`: False\n",
    ),
  );
  assert.ok(hyperparameters.includes("#### All Hyperparameters\n<details><summary>Click to expand</summary>\n\n- `eval_strategy`: steps\n"));
  assert.ok(hyperparameters.includes("- `report_to`: []\n- `resume_from_checkpoint`: None\n- `batch_sampler`: batch_sampler\n\n</details>"));
});

test("Training Logs: the header, 4-decimal numbers, '-' for missing cells, the best step in bold", () => {
  const logs = section(renderWith(trainedCardData()), "### Training Logs");
  const rows = logs.split("\n").filter((line) => line.startsWith("|"));
  assert.deepEqual(rows, [
    "| Epoch      | Step    | Training Loss | Validation Loss | sts-dev_spearman_cosine |",
    "|:----------:|:-------:|:-------------:|:---------------:|:-----------------------:|",
    "| 0.5000     | 100     | 4.5679        | 4.2000          | 0.7123                  |",
    "| **1.0000** | **200** | **4.1000**    | **4.0500**      | **0.8000**              |",
    "| 1.5000     | 300     | 3.9000        | -               | 0.7900                  |",
  ]);
  assert.match(logs, /\n\* The bold row denotes the saved checkpoint\.\n/);
  const withoutBest = section(renderWith({ ...trainedCardData(), bestModelStep: undefined }), "### Training Logs");
  assert.ok(!withoutBest.includes("**"));
  assert.ok(!withoutBest.includes("The bold row"));
});

test("Framework Versions name embedtune, Node.js, TensorFlow.js and the backend", () => {
  const versions = section(renderWith(trainedCardData()), "### Framework Versions");
  assert.ok(versions.includes(`- embedtune: ${EMBEDTUNE_VERSION}\n- Node.js: ${process.versions.node}\n`));
  assert.match(versions, /- TensorFlow\.js: \d+\.\d+\.\d+/);
  assert.match(versions, /- Backend: (tensorflow|wasm|cpu) /);
});

test("rendering is deterministic", () => {
  assert.equal(renderWith(trainedCardData()), renderWith(trainedCardData()));
  assert.equal(renderWith({}), renderWith({}));
});

test("an untrained model's card leaves out every training and evaluation section", () => {
  const card = renderWith({});
  assert.deepEqual(frontMatter(card), [
    "library_name: sentence-transformers",
    "tags:",
    "- sentence-transformers",
    "- sentence-similarity",
    "- feature-extraction",
    "pipeline_tag: sentence-similarity",
  ]);
  assert.match(card, /\n# SentenceTransformer\n/);
  assert.ok(card.includes(`produced by embedtune ${EMBEDTUNE_VERSION}`));
  for (const absent of ["Training", "Evaluation", "Base model", "Language", "License", "Citation", "generated_from_trainer"]) {
    assert.ok(!card.includes(absent), `no ${absent}`);
  }
  assert.ok(card.includes("### Full Model Architecture"));
  assert.ok(card.includes("## Framework Versions"));
});

test("savePretrained writes README.md equal to renderModelCard(model)", async () => {
  model.modelCardData = trainedCardData();
  try {
    const out = join(workspace, "saved");
    await model.savePretrained(out);
    assert.equal(readFileSync(join(out, "README.md"), "utf8"), renderModelCard(model));
  } finally {
    model.modelCardData = {};
  }
});

test("pythonRepr formats values as Python prints them", () => {
  assert.equal(pythonRepr({ a: true, b: null, c: [1, 2.5, "x"], d: "it's" }), `{'a': True, 'b': None, 'c': [1, 2.5, 'x'], 'd': "it's"}`);
  assert.equal(pythonRepr(5e-5), "5e-05");
  assert.equal(pythonRepr(0.1), "0.1");
  assert.equal(pythonRepr("a\nb'\""), `'a\\nb\\'"'`);
});
