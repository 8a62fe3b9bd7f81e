// The model card (README.md) written beside a saved model, in the format of sentence-transformers v3
// (`model_card.py` + `model_card_template.md`, reference §1.8): YAML front matter (language, license,
// library_name, tags, metrics, pipeline_tag, base_model), then Model Details, Full Model Architecture
// (the repr ST prints of whatever modules there are), Usage (embedtune and Python), Evaluation,
// Training Details (datasets, loss, hyperparameters, logs), Framework Versions and Citation. Sections without data are left out,
// and nothing depends on the clock, so saving the same model twice gives the same text.

import { createRequire } from "node:module";
import { backendInfo } from "../backend.ts";
import { EMBEDTUNE_VERSION } from "../version.ts";
import type { SentenceModule } from "./modules/module.ts";
import type { SentenceTransformer } from "./sentence-transformer.ts";

export interface DatasetCardInfo {
  name?: string;
  size: number;
  columns: string[];
  /** A few rows, as they are in the dataset. */
  samples: Record<string, unknown>[];
}

export interface ModelCardData {
  baseModel?: string;
  modelName?: string;
  /** A Hub id ("user/model") for the Python usage snippet; a placeholder path when unset. */
  modelId?: string;
  language?: string;
  license?: string;
  /** Extra front-matter tags, after the default ones. */
  tags?: string[];
  /** What the model can be used for (the intro sentence); ST's default task list when unset. */
  taskName?: string;
  trainDataset?: DatasetCardInfo;
  evalDataset?: DatasetCardInfo;
  /** The loss class name, its getConfigDict(), and optionally its BibTeX. */
  loss?: { name: string; config: Record<string, unknown>; citation?: string };
  hyperparameters?: { nonDefault: Record<string, unknown>; all: Record<string, unknown> };
  /** Rows of the training-log table: Epoch, Step, Training Loss, Validation Loss, evaluator metrics. */
  trainingLogs?: Record<string, number | string>[];
  bestModelStep?: number;
  /**
   * Final evaluator results, one entry per evaluator. `evaluatorName` is the evaluator's `name`
   * ("sts-dev"; its prefix is stripped from the metric keys) or, failing that, its class name.
   */
  evaluation?: {
    evaluatorName: string;
    metrics: Record<string, number>;
    /** The evaluator class, e.g. "EmbeddingSimilarityEvaluator". */
    className?: string;
    /** The metric shown in bold (with or without the name prefix). */
    primaryMetric?: string;
  }[];
}

const DEFAULT_TASK =
  "semantic textual similarity, semantic search, paraphrase mining, text classification, clustering, and more";
const EXAMPLE_SENTENCES = ["The weather is lovely today.", "It's so sunny outside!", "He drove to the stadium."];
const SAMPLE_TEXT_LIMIT = 100;
const SIMILARITY_NAMES: Record<string, string> = {
  cosine: "Cosine Similarity",
  dot: "Dot Product",
  euclidean: "Euclidean Distance",
  manhattan: "Manhattan Distance",
};
/** ST's `evaluator.description` per evaluator class. */
const EVALUATOR_DESCRIPTIONS: Record<string, string> = {
  EmbeddingSimilarityEvaluator: "Semantic Similarity",
  BinaryClassificationEvaluator: "Binary Classification",
  TripletEvaluator: "Triplet",
  InformationRetrievalEvaluator: "Information Retrieval",
  NanoBEIREvaluator: "Nano BEIR",
  ParaphraseMiningEvaluator: "Paraphrase Mining",
  RerankingEvaluator: "Reranking",
  MSEEvaluator: "Knowledge Distillation",
  TranslationEvaluator: "Translation",
  LabelAccuracyEvaluator: "Classification",
  SequentialEvaluator: "Sequential",
};
const SBERT_CITATION = `@inproceedings{reimers-2019-sentence-bert,
    title = "Sentence-BERT: Sentence Embeddings using Siamese BERT-Networks",
    author = "Reimers, Nils and Gurevych, Iryna",
    booktitle = "Proceedings of the 2019 Conference on Empirical Methods in Natural Language Processing",
    month = "11",
    year = "2019",
    publisher = "Association for Computational Linguistics",
    url = "https://arxiv.org/abs/1908.10084",
}`;

export function renderModelCard(model: SentenceTransformer): string {
  const data = model.modelCardData;
  const trained = isTrained(data);
  const evaluations = (data.evaluation ?? []).map(prepareEvaluation);
  const sections = [
    frontMatter(data, trained, evaluations),
    intro(model, data, trained),
    modelDetails(model, data),
    usage(model, data),
    evaluationSection(evaluations),
    trained ? trainingDetails(data) : frameworkVersions("##"),
    citation(data, trained),
  ];
  return sections.filter((section) => section !== "").join("\n\n") + "\n";
}

function isTrained(data: ModelCardData): boolean {
  return (
    data.trainDataset !== undefined ||
    data.loss !== undefined ||
    (data.trainingLogs?.length ?? 0) > 0 ||
    data.hyperparameters !== undefined
  );
}

// ---------------------------------------------------------------------------------------------------
// Front matter

function frontMatter(data: ModelCardData, trained: boolean, evaluations: PreparedEvaluation[]): string {
  const tags = ["sentence-transformers", "sentence-similarity", "feature-extraction"];
  if (trained) tags.push("generated_from_trainer");
  if (data.trainDataset) tags.push(`dataset_size:${data.trainDataset.size}`);
  if (data.loss) tags.push(`loss:${data.loss.name}`);
  tags.push(...(data.tags ?? []));
  const metrics = unique(evaluations.flatMap((evaluation) => Object.keys(evaluation.metrics)));
  const lines = [
    "---",
    "# For reference on model card metadata, see the spec: https://github.com/huggingface/hub-docs/blob/main/modelcard.md?plain=1",
    "# Doc / guide: https://huggingface.co/docs/hub/model-cards",
  ];
  if (data.language) lines.push("language:", `- ${yamlScalar(data.language)}`);
  if (data.license) lines.push(`license: ${yamlScalar(data.license)}`);
  lines.push("library_name: sentence-transformers", "tags:", ...unique(tags).map((tag) => `- ${yamlScalar(tag)}`));
  if (metrics.length > 0) lines.push("metrics:", ...metrics.map((metric) => `- ${yamlScalar(metric)}`));
  lines.push("pipeline_tag: sentence-similarity");
  if (data.baseModel) lines.push(`base_model: ${yamlScalar(data.baseModel)}`);
  lines.push("---");
  return lines.join("\n");
}

const YAML_PLAIN = /^[A-Za-z0-9_.\/][A-Za-z0-9_.\/:@+-]*$/;
const YAML_SPECIAL = /^(?:true|false|yes|no|on|off|y|n|null|~|[-+]?(?:\d[\d_]*(?:\.\d*)?|\.\d+)(?:e[-+]?\d+)?|\.inf|\.nan)$/i;

/** A plain YAML scalar when that reads back as the same string, else a double-quoted (JSON) one. */
function yamlScalar(value: string): string {
  return YAML_PLAIN.test(value) && !YAML_SPECIAL.test(value) && !value.endsWith(":") ? value : JSON.stringify(value);
}

// ---------------------------------------------------------------------------------------------------
// Title, intro, details, architecture

function title(data: ModelCardData): string {
  if (data.modelName) return data.modelName;
  return data.baseModel ? `SentenceTransformer based on ${data.baseModel}` : "SentenceTransformer";
}

/** A Hub link for "owner/name" ids; other strings (local paths) are shown as they are. */
function hubLink(id: string, kind: "model" | "dataset"): string {
  if (!/^[A-Za-z0-9][\w.-]*\/[\w.-]+$/.test(id)) return `\`${id}\``;
  return `[${id}](https://huggingface.co/${kind === "dataset" ? "datasets/" : ""}${id})`;
}

function intro(model: SentenceTransformer, data: ModelCardData, trained: boolean): string {
  let sentence = "This is a [sentence-transformers](https://www.SBERT.net) model";
  sentence += data.baseModel ? ` finetuned from ${hubLink(data.baseModel, "model")}` : trained ? " trained" : "";
  if (data.trainDataset?.name) sentence += ` on the ${data.trainDataset.name} dataset`;
  sentence +=
    `. It maps sentences & paragraphs to a ${model.getSentenceEmbeddingDimension()}-dimensional dense vector space ` +
    `and can be used for ${data.taskName ?? DEFAULT_TASK}.`;
  const provenance = trained
    ? `It was fine-tuned with embedtune ${EMBEDTUNE_VERSION}, a TypeScript port of sentence-transformers training, ` +
      "which also wrote this card; the folder keeps the sentence-transformers layout."
    : `This card was produced by embedtune ${EMBEDTUNE_VERSION}; the folder keeps the sentence-transformers layout.`;
  return `# ${title(data)}\n\n${sentence}\n\n${provenance}`;
}

function modelDetails(model: SentenceTransformer, data: ModelCardData): string {
  const lines = ["## Model Details", "", "### Model Description", "- **Model Type:** Sentence Transformer"];
  if (data.baseModel) lines.push(`- **Base model:** ${hubLink(data.baseModel, "model")}`);
  lines.push(
    `- **Maximum Sequence Length:** ${model.maxSeqLength} tokens`,
    `- **Output Dimensionality:** ${model.getSentenceEmbeddingDimension()} dimensions`,
    `- **Similarity Function:** ${SIMILARITY_NAMES[model.similarityFnName] ?? model.similarityFnName}`,
  );
  if (data.trainDataset) {
    const name = data.trainDataset.name ? `${data.trainDataset.name} ` : "";
    lines.push(`- **Training Dataset:** ${name}(${thousands(data.trainDataset.size)} samples)`);
  }
  if (data.language) lines.push(`- **Language:** ${data.language}`);
  if (data.license) lines.push(`- **License:** ${data.license}`);
  lines.push("", "### Full Model Architecture", "", "```", architecture(model), "```");
  return lines.join("\n");
}

/** `str(model)` in sentence-transformers v3: torch's nn.Sequential repr of the modules. */
export function architecture(model: SentenceTransformer): string {
  const transformerConfig = { max_seq_length: model.maxSeqLength, do_lower_case: model.transformer.doLowerCase };
  // The trailing space is ST's ("... with Transformer model: {} ").
  const transformer = `Transformer(${pythonRepr(transformerConfig)}) with Transformer model: BertModel `;
  return architectureRepr(transformer, model.modules);
}

/** The nn.Sequential repr: the Transformer's line, then each module's repr (Pooling, Dense, Normalize, …). */
export function architectureRepr(transformer: string, modules: Pick<SentenceModule, "describe">[]): string {
  const lines = [transformer, ...modules.map((module) => module.describe())];
  return ["SentenceTransformer(", ...lines.map((line, index) => `  (${index}): ${line}`), ")"].join("\n");
}

// ---------------------------------------------------------------------------------------------------
// Usage

function usage(model: SentenceTransformer, data: ModelCardData): string {
  const dimension = model.getSentenceEmbeddingDimension();
  const count = EXAMPLE_SENTENCES.length;
  const pythonId = data.modelId ?? "path/to/this/model";
  return [
    "## Usage",
    "",
    "### Direct Usage (embedtune)",
    "",
    "Load the folder with embedtune and run inference:",
    "",
    "```typescript",
    'import { SentenceTransformer } from "embedtune";',
    "",
    'const model = await SentenceTransformer.load("path/to/this/model");',
    "const sentences = [",
    ...EXAMPLE_SENTENCES.map((sentence) => `  ${JSON.stringify(sentence)},`),
    "];",
    "const embeddings = await model.encode(sentences);",
    "console.log([embeddings.length, embeddings[0].length]);",
    `// [ ${count}, ${dimension} ]`,
    "",
    "// Get the similarity scores for the embeddings",
    "const similarities = model.similarity(embeddings, embeddings);",
    "console.log([similarities.length, similarities[0].length]);",
    `// [ ${count}, ${count} ]`,
    "```",
    "",
    "### Direct Usage (Sentence Transformers)",
    "",
    "The folder has the sentence-transformers layout, so it loads in Python too. First install the library:",
    "",
    "```bash",
    "pip install -U sentence-transformers",
    "```",
    "",
    "Then you can load this model and run inference.",
    "```python",
    "from sentence_transformers import SentenceTransformer",
    "",
    `model = SentenceTransformer(${JSON.stringify(pythonId)})`,
    "# Run inference",
    "sentences = [",
    ...EXAMPLE_SENTENCES.map((sentence) => `    ${pythonRepr(sentence)},`),
    "]",
    "embeddings = model.encode(sentences)",
    "print(embeddings.shape)",
    `# [${count}, ${dimension}]`,
    "",
    "# Get the similarity scores for the embeddings",
    "similarities = model.similarity(embeddings, embeddings)",
    "print(similarities.shape)",
    `# [${count}, ${count}]`,
    "```",
  ].join("\n");
}

// ---------------------------------------------------------------------------------------------------
// Evaluation

interface PreparedEvaluation {
  description: string;
  datasetName?: string;
  className?: string;
  /** Metric keys without the evaluator-name prefix (ST strips it when every key has it). */
  metrics: Record<string, number>;
  primaryMetric?: string;
}

function prepareEvaluation(entry: NonNullable<ModelCardData["evaluation"]>[number]): PreparedEvaluation {
  const nameIsClass = entry.className === undefined && EVALUATOR_DESCRIPTIONS[entry.evaluatorName] !== undefined;
  const className = entry.className ?? (nameIsClass ? entry.evaluatorName : undefined);
  const name = nameIsClass ? "" : entry.evaluatorName;
  let metrics = entry.metrics;
  let primaryMetric = entry.primaryMetric;
  const prefix = `${name}_`;
  const keys = Object.keys(metrics);
  if (name && keys.length > 0 && keys.every((key) => key.startsWith(prefix))) {
    metrics = Object.fromEntries(keys.map((key) => [key.slice(prefix.length), metrics[key]]));
    if (primaryMetric?.startsWith(prefix)) primaryMetric = primaryMetric.slice(prefix.length);
  }
  const description =
    (className && EVALUATOR_DESCRIPTIONS[className]) || inferDescription(Object.keys(metrics)) || name || className || "Evaluator";
  return { description, datasetName: name || undefined, className, metrics, primaryMetric };
}

/** The evaluator kind from its metric keys, when no class name was recorded. */
function inferDescription(keys: string[]): string | undefined {
  if (keys.some((key) => /(^|_)(pearson|spearman)_/.test(key))) return "Semantic Similarity";
  if (keys.some((key) => /_(ndcg|mrr|map)@\d+$/.test(key))) return "Information Retrieval";
  if (keys.some((key) => /_(ap|f1|mcc)$/.test(key))) return "Binary Classification";
  return undefined;
}

function evaluationSection(evaluations: PreparedEvaluation[]): string {
  const withMetrics = evaluations.filter((evaluation) => Object.keys(evaluation.metrics).length > 0);
  if (withMetrics.length === 0) return "";
  const parts = ["## Evaluation", "", "### Metrics"];
  for (const evaluation of withMetrics) {
    parts.push("", `#### ${evaluation.description}`, "");
    if (evaluation.datasetName) parts.push(`* Dataset: \`${evaluation.datasetName}\``);
    if (evaluation.className) {
      const anchor = `sentence_transformers.evaluation.${evaluation.className}`;
      parts.push(
        `* Evaluated with [<code>${evaluation.className}</code>](https://sbert.net/docs/package_reference/sentence_transformer/evaluation.html#${anchor})`,
      );
    }
    if (evaluation.datasetName || evaluation.className) parts.push("");
    const rows = Object.entries(evaluation.metrics).map(([key, value]) => {
      const bold = key === evaluation.primaryMetric;
      const metric = tableCell(key);
      const formatted = formatNumber(value);
      return { Metric: bold ? `**${metric}**` : metric, Value: bold ? `**${formatted}**` : formatted };
    });
    parts.push(markdownTable(["Metric", "Value"], rows, "left"));
  }
  return parts.join("\n");
}

// ---------------------------------------------------------------------------------------------------
// Training details

function trainingDetails(data: ModelCardData): string {
  const parts = ["## Training Details"];
  const datasets: [string, string, DatasetCardInfo | undefined][] = [
    ["Training Dataset", "training", data.trainDataset],
    ["Evaluation Dataset", "evaluation", data.evalDataset],
  ];
  for (const [heading, kind, dataset] of datasets) {
    if (dataset) parts.push(datasetSection(heading, kind, dataset, data.loss));
  }
  if (data.loss && !data.trainDataset && !data.evalDataset) {
    parts.push(`### Loss\n\n${lossDescription(data.loss)}`);
  }
  const hyperparameters = hyperparameterSection(data.hyperparameters);
  if (hyperparameters) parts.push(hyperparameters);
  const logs = trainingLogSection(data.trainingLogs ?? [], data.bestModelStep);
  if (logs) parts.push(logs);
  parts.push(frameworkVersions("###"));
  return parts.join("\n\n");
}

function datasetSection(heading: string, kind: string, dataset: DatasetCardInfo, loss: ModelCardData["loss"]): string {
  const lines = [`### ${heading}`, "", `#### ${dataset.name || "Unnamed Dataset"}`, ""];
  if (dataset.name) lines.push(`* Dataset: ${dataset.name}`);
  lines.push(`* Size: ${thousands(dataset.size)} ${kind} samples`);
  const columns = dataset.columns.length > 0 ? dataset.columns : unique(dataset.samples.flatMap((sample) => Object.keys(sample)));
  if (columns.length > 0) lines.push(`* Columns: ${joinWithAnd(columns.map((column) => `<code>${escapeHtml(column)}</code>`))}`);
  const samples = dataset.samples.slice(0, 3);
  if (samples.length > 0 && columns.length > 0) {
    const rows = samples.map((sample) =>
      Object.fromEntries(columns.map((column) => [column, `<code>${sampleCell(sample[column])}</code>`])),
    );
    lines.push("* Samples:", indent(markdownTable(columns.map(tableCell), rows, "left", columns), "  "));
  }
  if (loss) lines.push(`* Loss: ${lossDescription(loss)}`);
  return lines.join("\n");
}

function lossDescription(loss: NonNullable<ModelCardData["loss"]>): string {
  const link = `[<code>${loss.name}</code>](https://sbert.net/docs/package_reference/sentence_transformer/losses.html#${loss.name.toLowerCase()})`;
  if (Object.keys(loss.config).length === 0) return link;
  const json = JSON.stringify(loss.config, (_key, value: unknown) => (typeof value === "bigint" ? String(value) : value), 4);
  return `${link} with these parameters:\n${indent("```json\n" + json + "\n```", "  ")}`;
}

/** A sample value for a table cell: lists cut to 5 items, texts to ~100 characters, `|` escaped. */
function sampleCell(value: unknown): string {
  let text: string;
  if (typeof value === "string") text = value;
  else if (Array.isArray(value)) text = value.length > 5 ? pythonRepr(value.slice(0, 5)).slice(0, -1) + ", ...]" : pythonRepr(value);
  else text = pythonStr(value);
  const characters = [...text];
  if (characters.length > SAMPLE_TEXT_LIMIT) text = characters.slice(0, SAMPLE_TEXT_LIMIT).join("") + "...";
  return tableCell(escapeHtml(text));
}

function hyperparameterSection(hyperparameters: ModelCardData["hyperparameters"]): string {
  if (!hyperparameters) return "";
  const list = (values: Record<string, unknown>) =>
    Object.entries(values).map(([key, value]) => `- \`${key}\`: ${pythonStr(value)}`);
  const nonDefault = list(hyperparameters.nonDefault);
  const all = list(hyperparameters.all);
  if (nonDefault.length === 0 && all.length === 0) return "";
  const lines = ["### Training Hyperparameters"];
  if (nonDefault.length > 0) lines.push("#### Non-Default Hyperparameters", "", ...nonDefault, "");
  if (all.length > 0) lines.push("#### All Hyperparameters", "<details><summary>Click to expand</summary>", "", ...all, "", "</details>");
  return lines.join("\n").trimEnd();
}

/** ST's column order: Epoch, Step, Training Loss, Validation Loss, other losses, then first-seen order. */
function logColumns(rows: Record<string, number | string>[]): string[] {
  const seen = unique(rows.flatMap((row) => Object.keys(row)));
  const rank = (key: string) => {
    const fixed = ["Epoch", "Step", "Training Loss", "Validation Loss"].indexOf(key);
    if (fixed >= 0) return fixed;
    return key.endsWith("loss") ? 4 : seen.indexOf(key) + 5;
  };
  return [...seen].sort((a, b) => rank(a) - rank(b));
}

function trainingLogSection(rows: Record<string, number | string>[], bestModelStep: number | undefined): string {
  if (rows.length === 0) return "";
  const columns = logColumns(rows);
  let bold = false;
  const cells = rows.map((row) => {
    const isBest = bestModelStep !== undefined && row.Step === bestModelStep;
    bold ||= isBest;
    return Object.fromEntries(
      columns.map((column) => {
        const value = row[column];
        let text: string;
        if (value === undefined) text = "-";
        else if (typeof value === "number") text = column === "Step" && Number.isInteger(value) ? String(value) : formatNumber(value);
        else text = tableCell(String(value));
        return [column, isBest ? `**${text}**` : text];
      }),
    );
  });
  const table = markdownTable(columns.map(tableCell), cells, "center", columns);
  const hide = rows.length > 100;
  const lines = ["### Training Logs"];
  if (hide) lines.push("<details><summary>Click to expand</summary>", "");
  lines.push(table);
  if (bold) lines.push("", "* The bold row denotes the saved checkpoint.");
  if (hide) lines.push("</details>");
  return lines.join("\n");
}

// ---------------------------------------------------------------------------------------------------
// Framework versions, citation

function tfjsVersion(): string | undefined {
  try {
    const version: unknown = createRequire(import.meta.url)("@tensorflow/tfjs/package.json").version;
    return typeof version === "string" ? version : undefined;
  } catch {
    return undefined;
  }
}

function backendLine(): string | undefined {
  try {
    const info = backendInfo();
    return `${info.name} (${info.package}${info.gpu ? ", GPU" : ""})`;
  } catch {
    return undefined;
  }
}

function frameworkVersions(level: "##" | "###"): string {
  const lines = [`${level} Framework Versions`, `- embedtune: ${EMBEDTUNE_VERSION}`, `- Node.js: ${process.versions.node}`];
  const tfjs = tfjsVersion();
  if (tfjs) lines.push(`- TensorFlow.js: ${tfjs}`);
  const backend = backendLine();
  if (backend) lines.push(`- Backend: ${backend}`);
  return lines.join("\n");
}

function citation(data: ModelCardData, trained: boolean): string {
  if (!trained) return "";
  const entries: [string, string][] = [["Sentence Transformers", SBERT_CITATION]];
  if (data.loss?.citation?.trim()) entries.push([data.loss.name, data.loss.citation.trim()]);
  return ["## Citation", "", "### BibTeX", ...entries.map(([name, bibtex]) => `\n#### ${name}\n\`\`\`bibtex\n${bibtex}\n\`\`\``)].join("\n");
}

// ---------------------------------------------------------------------------------------------------
// Formatting helpers

/** transformers' make_markdown_table: padded columns; ST left-aligns every table but the logs. */
function markdownTable(
  header: string[],
  rows: Record<string, string>[],
  align: "left" | "center",
  keys: string[] = header,
): string {
  const width = (text: string) => [...text].length;
  const widths = header.map((title, index) => Math.max(width(title), ...rows.map((row) => width(row[keys[index]] ?? ""))));
  const line = (values: string[]) =>
    values.map((value, index) => `| ${value}${" ".repeat(widths[index] - width(value) + 1)}`).join("") + "|";
  const separator =
    widths.map((w) => (align === "left" ? `|:${"-".repeat(w + 1)}` : `|:${"-".repeat(w)}:`)).join("") + "|";
  return [line(header), separator, ...rows.map((row) => line(keys.map((key) => row[key] ?? "")))].join("\n");
}

/** Text safe inside a Markdown table cell: `|` escaped, newlines as <br>. */
function tableCell(text: string): string {
  return text.replace(/\r?\n/g, "<br>").replace(/\|/g, "\\|");
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

function formatNumber(value: number): string {
  return Number.isFinite(value) ? value.toFixed(4) : pythonNumber(value);
}

function thousands(value: number): string {
  return String(value).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

function joinWithAnd(items: string[]): string {
  if (items.length <= 2) return items.join(" and ");
  return `${items.slice(0, -1).join(", ")}, and ${items.at(-1)}`;
}

function indent(text: string, prefix: string): string {
  return text
    .split("\n")
    .map((line) => (line.trim() === "" ? line : prefix + line))
    .join("\n");
}

function unique<T>(values: T[]): T[] {
  return [...new Set(values)];
}

/** Python's repr() of a number: 5e-05, 0.1, 3, inf, nan. */
function pythonNumber(value: number): string {
  if (Number.isNaN(value)) return "nan";
  if (!Number.isFinite(value)) return value > 0 ? "inf" : "-inf";
  if (Number.isInteger(value) && Math.abs(value) < 1e16) return String(value);
  const magnitude = Math.abs(value);
  if (magnitude !== 0 && (magnitude < 1e-4 || magnitude >= 1e16)) {
    return value.toExponential().replace(/e([+-])(\d)$/, "e$10$2");
  }
  return String(value);
}

/** Python's repr() of a string: single quotes unless the text has ' and no ". */
function pythonString(text: string): string {
  const quote = text.includes("'") && !text.includes('"') ? '"' : "'";
  let out = quote;
  for (const character of text) {
    const code = character.codePointAt(0)!;
    if (character === "\\") out += "\\\\";
    else if (character === quote) out += `\\${quote}`;
    else if (character === "\n") out += "\\n";
    else if (character === "\r") out += "\\r";
    else if (character === "\t") out += "\\t";
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, "0")}`;
    else out += character;
  }
  return out + quote;
}

/** Python's repr() of a JSON-like value: {'key': True}, [1, 2], None. */
export function pythonRepr(value: unknown): string {
  if (value === null || value === undefined) return "None";
  if (typeof value === "boolean") return value ? "True" : "False";
  if (typeof value === "number") return pythonNumber(value);
  if (typeof value === "bigint") return String(value);
  if (typeof value === "string") return pythonString(value);
  if (Array.isArray(value)) return `[${value.map(pythonRepr).join(", ")}]`;
  if (typeof value === "object") {
    return `{${Object.entries(value as Record<string, unknown>)
      .map(([key, item]) => `${pythonString(key)}: ${pythonRepr(item)}`)
      .join(", ")}}`;
  }
  return pythonString(String(value));
}

/** Python's str(): strings as they are, anything else as repr(). */
function pythonStr(value: unknown): string {
  return typeof value === "string" ? value : pythonRepr(value);
}
