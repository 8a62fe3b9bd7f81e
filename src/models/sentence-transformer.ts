// SentenceTransformer: the modules Transformer → Pooling → (Normalize) loaded from a sentence-transformers
// or Hugging Face folder. encode() mirrors ST: optional prompt (its token count goes to Pooling, which
// leaves the prompt out when include_prompt is false), texts sorted by length (longest first)
// into batches, inference mode, embeddings returned in input order; similarity() uses the model's
// similarity function (config_sentence_transformers.json, cosine when unset). savePretrained() writes
// the ST v3 layout, leaving other files in the folder alone. A folder without modules.json gets mean
// pooling, as ST does. `device` as ST's (engines/device.ts): the load option, `model.device` ("cpu" or
// "cuda:N", where it actually computes) and `await model.to(device)`.

import { existsSync, writeFileSync } from "node:fs";
import { inspect } from "node:util";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { backendInfo, initializeBackend } from "../backend.ts";
import type { EncoderInputs, ForwardOptions } from "../engines/architecture.ts";
import type { Engine, EngineName } from "../engines/engine.ts";
import { TfjsEngine } from "../engines/tfjs/engine.ts";
import { ArgumentError, ModelLoadError } from "../errors.ts";
import { readJsonFile } from "../io/model-folder.ts";
import { forwardModuleStack, loadModuleStack, moduleStackParameters, saveModuleStack } from "./modules/module-stack.ts";
import type { SentenceModule } from "./modules/module.ts";
import { readModules, writeSentenceTransformerConfig, type ModuleEntry } from "./modules/modules-json.ts";
import { writeModelFolder, type OutputFolderOptions } from "../io/output-folder.ts";
import { shortEmbeddingsInNotebook } from "../notebook/inspect.ts";
import { checkSimilarityFunction, similarity as similarityMatrix, type SimilarityFunctionName } from "../similarity.ts";
import { EncodeInterruptedError, runInterruptible } from "../util/interruption.ts";
import { startProgress } from "../util/progress.ts";
import { Normalize, l2Normalize } from "./modules/normalize.ts";
import { Pooling } from "./modules/pooling.ts";
import { Transformer } from "./transformer.ts";
import { OnnxEngine } from "../engines/onnxruntime/engine.ts";
import { resolveModelFolder } from "../hub/index.ts";
import { checkDevice, defaultDevice, DeviceUnavailableError, tfjsDeviceProblem, type Device, type ResolvedDevice } from "../engines/device.ts";
import { renderModelCard, type ModelCardData } from "./model-card.ts";

export interface EncodeOptions {
  batchSize?: number;
  normalizeEmbeddings?: boolean;
  /** true: progress of the batches (a live line in a notebook, a bar on a terminal); false: none; default: in a notebook only, once encoding lasts 2 s. */
  showProgressBar?: boolean;
  /** A prompt prepended to every text (e.g. "query: "). */
  prompt?: string;
  /** The name of a prompt in the model's config_sentence_transformers.json. */
  promptName?: string;
}

/** The encoder's options plus the prompt length Pooling needs when it excludes the prompt. */
export interface SentenceForwardOptions extends ForwardOptions {
  /** Token count of the prompt that starts every text (getPromptLength); only Pooling with includePrompt false uses it. */
  promptLength?: number;
}

export interface SentenceTransformerOptions {
  /** Print the backend line on first use (default true). */
  quiet?: boolean;
  /** For a Hub id: the branch, tag or commit to load (default "main"). */
  revision?: string;
  /** For a Hub id: the cache folder (default: Python's hub cache, $HF_HUB_CACHE or $HF_HOME/hub). */
  cacheFolder?: string;
  /** For a Hub id: the access token (default: $HF_TOKEN, then $HF_HOME/token); false sends none. */
  token?: string | false;
  /** For a Hub id: use the cache only, never the network (as $HF_HUB_OFFLINE=1). */
  localFilesOnly?: boolean;
  /** Where the encoder computes, as sentence-transformers' device: "cpu", "cuda" or "cuda:N"; default CUDA where it runs, else CPU ($EMBEDTUNE_DEVICE overrides the default). */
  device?: Device;
  /** The encoder's engine; default onnxruntime where it loads (EMBEDTUNE_ENGINE overrides). */
  engine?: EngineName;
}

export type { EngineName };

function defaultEngine(): EngineName {
  const forced = process.env.EMBEDTUNE_ENGINE;
  if (forced === undefined || forced === "") return "onnxruntime";
  if (forced !== "onnxruntime" && forced !== "tfjs") throw new ArgumentError("EMBEDTUNE_ENGINE", `must be onnxruntime or tfjs, got ${JSON.stringify(forced)}`);
  return forced;
}

export type Embeddings = number[][];

export class SentenceTransformer {
  similarityFnName: SimilarityFunctionName;

  constructor(
    readonly transformer: Transformer,
    /** The modules after the Transformer, in modules.json's order (Pooling first; Dense, Normalize, …). */
    readonly modules: SentenceModule[],
    options: { similarityFnName?: SimilarityFunctionName; prompts?: Record<string, string>; defaultPromptName?: string | null } = {},
    /** The folder the model was loaded from. */
    readonly sourceDirectory?: string,
  ) {
    this.runner = new TfjsEngine(transformer);
    this.similarityFnName = options.similarityFnName ?? "cosine";
    this.prompts = options.prompts ?? {};
    this.defaultPromptName = options.defaultPromptName ?? null;
  }

  prompts: Record<string, string>;
  defaultPromptName: string | null;
  /** What runs the encoder: the tfjs reference until setEngine picks another. */
  private runner: Engine;
  /** The device asked for (load option, to()); undefined: CUDA where it runs, else CPU. */
  private requestedDevice: Device | undefined;
  private readonly promptLengths = new Map<string, number>();
  /** What the model card (README.md) says about training; filled in by the trainer. */
  modelCardData: ModelCardData = {};

  /** A model folder, or a Hub id downloaded into (or found in) Python's Hugging Face cache; a local folder wins. */
  static async load(idOrPath: string, options: SentenceTransformerOptions = {}): Promise<SentenceTransformer> {
    if (options.device !== undefined) checkDevice(options.device, "device");
    // A local path is checked there (model folder does not exist / is not a folder); a Hub id's is its snapshot folder.
    const { folder: directory, repoId } = await resolveModelFolder(idOrPath, options);
    const device = options.device ?? defaultDevice();
    await initializeBackend({ quiet: options.quiet });
    const entries = readModules(directory);
    const [first, ...rest] = entries ?? [{ idx: 0, name: "0", path: "", type: "Transformer", kind: "Transformer" }];
    if (first.kind !== "Transformer") {
      throw new ModelLoadError(join(directory, "modules.json"), `the first module must be a Transformer, found ${first.type}`);
    }
    const transformer = Transformer.load(join(directory, first.path), { root: directory, quiet: options.quiet });
    let model: SentenceTransformer;
    try {
      model = SentenceTransformer.assemble(directory, transformer, entries && rest, options.quiet);
    } catch (error) {
      // A bad pooling or config file after the weights were read must not leave them allocated.
      transformer.dispose();
      throw error;
    }
    model.requestedDevice = device;
    // As sentence-transformers' set_base_model: a model loaded by id names it in its fine-tuned model card.
    if (repoId !== undefined) model.modelCardData.baseModel = repoId;
    try {
      await model.setEngine(options.engine ?? defaultEngine(), { quiet: options.quiet });
    } catch (error) {
      model.dispose();
      throw error;
    }
    return model;
  }

  /** The engine that runs the encoder: "onnxruntime" (fast) or "tfjs" (the reference). */
  get engine(): EngineName {
    return this.runner.name;
  }

  /** The engine that runs the encoder (token embeddings, training passes), whichever it is. */
  get encoder(): Engine {
    return this.runner;
  }

  /**
   * Switches engines, on the model's device; asking for onnxruntime where it cannot load says why once
   * and keeps tfjs. A device asked for that the engine cannot compute on is a DeviceUnavailableError.
   */
  async setEngine(name: EngineName, options: { quiet?: boolean } = {}): Promise<void> {
    if (name !== "onnxruntime" && name !== "tfjs") throw new ArgumentError("engine", `must be "onnxruntime" or "tfjs", got ${JSON.stringify(name)}`);
    if (name === this.runner.name) {
      if (name === "tfjs") this.checkTfjsDevice(this.requestedDevice);
      return;
    }
    if (name === "tfjs") {
      this.checkTfjsDevice(this.requestedDevice);
      await this.replaceEngine(new TfjsEngine(this.transformer));
      return;
    }
    try {
      await this.replaceEngine(await OnnxEngine.create(this.transformer, { device: this.requestedDevice }));
    } catch (error) {
      if (error instanceof DeviceUnavailableError) throw error;
      if (process.env.EMBEDTUNE_ENGINE === "onnxruntime") throw new ArgumentError("EMBEDTUNE_ENGINE", `onnxruntime cannot run: ${(error as Error).message.split("\n")[0]}`);
      this.checkTfjsDevice(this.requestedDevice);
      if (!options.quiet) process.stderr.write(`embedtune: onnxruntime engine unavailable (${(error as Error).message.split("\n")[0]}); using tfjs\n`);
    }
  }

  /** Where the encoder computes: "cpu" or "cuda:N" (sentence-transformers' `model.device`). */
  get device(): ResolvedDevice {
    return this.runner.device;
  }

  /**
   * Moves the encoder to `device` (sentence-transformers' `model.to(device)`; awaited here, since the
   * engine's sessions are rebuilt there). The weights stay where they are; a device that cannot run
   * is a DeviceUnavailableError and leaves the model where it was.
   */
  async to(device: Device): Promise<this> {
    checkDevice(device, "device");
    if (this.runner.name === "tfjs") this.checkTfjsDevice(device);
    else if (!this.runner.runsOn(device)) await this.replaceEngine(await OnnxEngine.create(this.transformer, { device }));
    this.requestedDevice = device;
    return this;
  }

  private checkTfjsDevice(device: Device | undefined): void {
    const problem = device === undefined ? undefined : tfjsDeviceProblem(device);
    if (problem !== undefined) throw new DeviceUnavailableError(device!, problem);
  }

  private async replaceEngine(engine: Engine): Promise<void> {
    const previous = this.runner;
    this.runner = engine;
    await previous.release();
  }

  private static assemble(directory: string, transformer: Transformer, entries: ModuleEntry[] | undefined, quiet?: boolean): SentenceTransformer {
    const modules = loadModuleStack(directory, entries, transformer.hiddenSize, { quiet });
    const configPath = join(directory, "config_sentence_transformers.json");
    const stConfig = existsSync(configPath) ? (readJsonFile(configPath, { within: directory }) as Record<string, unknown>) : {};
    const similarityFnName = readSimilarityFunction(stConfig.similarity_fn_name, configPath);
    return new SentenceTransformer(
      transformer,
      modules,
      {
        similarityFnName,
        prompts: (stConfig.prompts as Record<string, string> | undefined) ?? {},
        defaultPromptName: (stConfig.default_prompt_name as string | null | undefined) ?? null,
      },
      directory,
    );
  }

  get maxSeqLength(): number {
    return this.transformer.maxSeqLength;
  }

  set maxSeqLength(value: number) {
    if (!Number.isInteger(value) || value < 2 || value > this.transformer.config.maxSequenceLength) {
      throw new ArgumentError("maxSeqLength", `must be an integer in [2, ${this.transformer.config.maxSequenceLength}], got ${value}`);
    }
    this.transformer.maxSeqLength = value;
  }

  /** The Pooling module (always the first after the Transformer). */
  get pooling(): Pooling {
    return this.modules[0] as Pooling;
  }

  /** The Normalize module, when the model has one. */
  get normalize(): Normalize | undefined {
    return this.modules.find((module): module is Normalize => module instanceof Normalize);
  }

  /** The modules' trainable weights (a Dense's), named "<folder>/<name>" ("2_Dense/linear.weight"). */
  moduleParameters(): { name: string; tensor: tf.Variable }[] {
    return [...moduleStackParameters(this.modules)].map(([name, tensor]) => ({ name, tensor }));
  }

  getSentenceEmbeddingDimension(): number {
    return this.modules[this.modules.length - 1].outputDimension;
  }

  tokenize(texts: string[]): EncoderInputs {
    return this.transformer.tokenize(texts);
  }

  /**
   * Sentence embeddings [batch, dim] through every module, as a tensor that gradients flow through.
   * Training passes `training: true` (dropout on) and a dropout seed.
   */
  forward(inputs: EncoderInputs | string[], options: SentenceForwardOptions = {}): tf.Tensor2D {
    const { promptLength, ...encoderOptions } = options;
    const features = Array.isArray(inputs) ? this.tokenize(inputs) : inputs;
    return this.poolAndNormalize(this.transformer.forward(features, encoderOptions), features, promptLength);
  }

  /**
   * ST's _get_prompt_length: the token count of the prompt tokenized alone, special tokens included,
   * less one when its last token is special (the trailing [SEP]); so "query: " on BERT is 3 ([CLS] query :).
   * Special here: the ids the tokenizer wraps every text in (those of an empty text) — [CLS] and [SEP] on BERT.
   */
  getPromptLength(prompt: string): number {
    const key = `${this.maxSeqLength}\u0000${prompt}`;
    const cached = this.promptLengths.get(key);
    if (cached !== undefined) return cached;
    const ids = this.transformer.tokenizer.ids(prompt, { maxSeqLength: this.maxSeqLength, doLowerCase: this.transformer.doLowerCase });
    const special = new Set(this.transformer.tokenizer.ids("", { maxSeqLength: this.maxSeqLength }));
    const length = ids.length > 0 && special.has(ids[ids.length - 1]) ? ids.length - 1 : ids.length;
    this.promptLengths.set(key, length);
    return length;
  }

  /** ST's set_pooling_include_prompt: whether Pooling keeps the prompt's tokens (false for INSTRUCTOR-style models). */
  setPoolingIncludePrompt(includePrompt: boolean): void {
    this.pooling.includePrompt = includePrompt;
  }

  encode(sentences: string, options?: EncodeOptions): Promise<number[]>;
  encode(sentences: string[], options?: EncodeOptions): Promise<Embeddings>;
  async encode(sentences: string | string[], options: EncodeOptions = {}): Promise<number[] | Embeddings> {
    if (typeof sentences === "string") return shortEmbeddingsInNotebook((await this.encode([sentences], options))[0]);
    const batchSize = options.batchSize ?? 32;
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new ArgumentError("batchSize", `must be a positive integer, got ${batchSize}`);
    const prompt = this.resolvePrompt(options);
    const texts = sentences.map((sentence, index) => {
      if (typeof sentence !== "string") throw new ArgumentError(`sentences[${index}]`, `must be a string, got ${typeof sentence}`);
      return prompt + sentence;
    });
    // As ST: a non-empty prompt's length always goes to Pooling, which uses it only when include_prompt is false.
    const promptLength = prompt.length > 0 ? this.getPromptLength(prompt) : undefined;
    const order = texts.map((_, index) => index).sort((a, b) => texts[b].length - texts[a].length);
    const result: Embeddings = new Array(texts.length);
    const batchCount = Math.ceil(texts.length / batchSize);
    const progress = startProgress("Batches", batchCount, options.showProgressBar);
    // In a notebook kernel an interrupt stops encoding between batches (EncodeInterruptedError), unless a training run owns it (it stops after its step).
    let encoded = 0;
    try {
      await runInterruptible(
        () => new EncodeInterruptedError(encoded, texts.length),
        async (stopPoint) => {
          for (; encoded < order.length; encoded += batchSize) {
            await stopPoint();
            const indices = order.slice(encoded, encoded + batchSize);
            const batchTexts = indices.map((index) => texts[index]);
            const embeddings = await this.embedBatch(batchTexts, options.normalizeEmbeddings ?? false, promptLength);
            const rows = (await embeddings.array()) as number[][];
            embeddings.dispose();
            indices.forEach((index, row) => (result[index] = rows[row]));
            progress.increment();
          }
        },
      );
    } finally {
      progress.stop();
    }
    return shortEmbeddingsInNotebook(result);
  }

  /** Sentence embeddings [batch, dim] of one batch in inference mode, through the model's engine. */
  async embed(texts: string[], options: { promptLength?: number } = {}): Promise<tf.Tensor2D> {
    return this.embedBatch(texts, false, options.promptLength);
  }

  /** Sentence embeddings of one batch: token embeddings from the engine, then pooling and Normalize in tfjs. */
  private async embedBatch(texts: string[], normalizeEmbeddings: boolean, promptLength?: number): Promise<tf.Tensor2D> {
    const features = this.tokenize(texts);
    const tokens = await this.runner.embedTokens(features);
    return tf.tidy(() => {
      const output = this.poolAndNormalize(tokens, features, promptLength);
      tokens.dispose();
      return normalizeEmbeddings ? l2Normalize(output) : output;
    });
  }

  /** The modules after the Transformer (Pooling, Dense, Normalize, …): token embeddings [B, T, H] → sentence embeddings. */
  poolAndNormalize(tokenEmbeddings: tf.Tensor3D, features: EncoderInputs, promptLength?: number): tf.Tensor2D {
    const attentionMask = tf.tensor2d(features.attentionMask, [features.batchSize, features.seqLength], "int32");
    const embeddings = forwardModuleStack(this.modules, { tokenEmbeddings, attentionMask, promptLength });
    attentionMask.dispose();
    return embeddings;
  }

  /** The [n, m] similarity matrix with the model's similarity function. */
  similarity(a: Embeddings | number[], b: Embeddings | number[]): number[][] {
    const matrix = (x: Embeddings | number[]) => (typeof x[0] === "number" ? [x as number[]] : (x as Embeddings));
    return tf.tidy(() => similarityMatrix(tf.tensor2d(matrix(a)), tf.tensor2d(matrix(b)), this.similarityFnName).arraySync());
  }

  /** Writes every file of the model into an existing folder (not atomic: savePretrained is). */
  writeFiles(directory: string): void {
    this.transformer.save(directory);
    saveModuleStack(directory, this.modules);
    writeSentenceTransformerConfig(directory, {
      similarityFnName: this.similarityFnName,
      prompts: this.prompts,
      defaultPromptName: this.defaultPromptName,
    });
    writeFileSync(join(directory, "README.md"), renderModelCard(this));
  }

  /**
   * Writes the sentence-transformers v3 folder layout into `directory`: every file is written into a
   * staging folder first, then moved in, replacing only files of the same name; other files stay.
   * A non-empty folder that holds no model is refused unless `overwrite: true` (see output-folder.ts).
   */
  async savePretrained(directory: string, options: OutputFolderOptions = {}): Promise<void> {
    await writeModelFolder(directory, (staging) => this.writeFiles(staging), options);
  }

  /** Copies the weights of a saved model folder (same architecture and modules) into this model's variables. */
  loadWeightsFrom(directory: string): void {
    const saved = Transformer.load(directory, { quiet: true });
    let savedModules: SentenceModule[] = [];
    try {
      savedModules = loadModuleStack(directory, readModules(directory)?.slice(1), saved.hiddenSize, { quiet: true });
      const source = [...saved.namedParameters(), ...[...moduleStackParameters(savedModules)].map(([name, tensor]) => ({ name, tensor }))];
      const target = [...this.transformer.namedParameters(), ...this.moduleParameters()];
      if (source.length !== target.length) throw new ModelLoadError(directory, `weights do not match this model (${source.length} tensors vs ${target.length})`);
      target.forEach(({ name, tensor }, index) => {
        if (source[index].name !== name || source[index].tensor.shape.join() !== tensor.shape.join()) {
          throw new ModelLoadError(directory, `weights do not match this model (${source[index].name} vs ${name})`);
        }
        tensor.assign(source[index].tensor);
      });
    } finally {
      saved.dispose();
      for (const module of savedModules) module.dispose();
    }
  }

  /** sentence-transformers' name for the same operation. */
  save(directory: string, options: OutputFolderOptions = {}): Promise<void> {
    return this.savePretrained(directory, options);
  }

  /** One line: architecture, sizes, pooling, normalisation, backend. */
  toString(): string {
    const config = this.transformer.config;
    return (
      `SentenceTransformer(${config.modelType}: ${config.numHiddenLayers} layers, hidden ${config.hiddenSize}, ${config.numAttentionHeads} heads, ` +
      `max_seq_length ${this.maxSeqLength}; ${this.modules.map((module) => module.summary()).join(" + ")}; ` +
      `dim ${this.getSentenceEmbeddingDimension()}; similarity ${this.similarityFnName}; engine ${this.engine} on ${this.device}, ` +
      `tfjs backend ${backendInfo().name})`
    );
  }

  /** Printed (console.log, a notebook cell's last expression) as its one-line summary, not its engines' internals. */
  [inspect.custom](): string {
    return this.toString();
  }

  dispose(): void {
    void this.runner.release();
    this.transformer.dispose();
    for (const module of this.modules) module.dispose();
  }

  private resolvePrompt(options: EncodeOptions): string {
    if (options.prompt !== undefined) return options.prompt;
    const name = options.promptName ?? this.defaultPromptName;
    if (name === null || name === undefined) return "";
    const prompt = this.prompts[name];
    if (prompt === undefined) {
      throw new ArgumentError("promptName", `${JSON.stringify(name)} is not one of the model's prompts (${Object.keys(this.prompts).join(", ") || "none"})`);
    }
    return prompt;
  }
}

function readSimilarityFunction(value: unknown, file: string): SimilarityFunctionName | undefined {
  if (value === null || value === undefined) return undefined;
  try {
    return checkSimilarityFunction(value, "similarity_fn_name");
  } catch (error) {
    throw new ModelLoadError(file, (error as Error).message);
  }
}
