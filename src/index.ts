// embedtune's public API: sentence-transformers' names in camelCase, plus the tutorial's step functions.

export { backendInfo, initializeBackend, type BackendInfo, type BackendName } from "./backend.ts";
export { ArgumentError, EmbedtuneError, ModelLoadError, SafetensorsError } from "./errors.ts";
export { EncodeInterruptedError, EvaluationInterruptedError, MiningInterruptedError, OperationInterruptedError } from "./util/interruption.ts";
export { inputColumnNames, labelColumnName } from "./data/columns.ts";
export { Dataset } from "./data/dataset.ts";
export { DatasetDict } from "./data/dataset-dict.ts";
export { DataLoadError } from "./data/errors.ts";
export { loadDataset, loadParquet, readParquet, type DatasetSourceOptions } from "./data/load-dataset.ts";
export { writeParquet } from "./data/parquet.ts";
export { loadRetrievalData, type LoadRetrievalDataOptions, type RetrievalData } from "./data/retrieval-data.ts";
export * from "./evaluation/index.ts";
export { DeviceUnavailableError, type Device } from "./engines/device.ts";
export type { Architecture, EncoderConfig, EncoderInputs, ForwardOptions, ParameterSpec } from "./engines/architecture.ts";
export type { Engine, EngineName, TrainingPass } from "./engines/engine.ts";
export { defaultModelDirectory, ensureDefaultModel } from "./generator/default-model.ts";
export { initModel, PRESETS, type InitModelOptions } from "./generator/init-model.ts";
export { readSafetensors, writeSafetensors } from "./io/safetensors.ts";
export * from "./losses/index.ts";
export { lastMiningSummary, mineHardNegatives, type MineHardNegativesOptions, type MiningModel, type MiningSummary } from "./mining/hard-negatives.ts";
export { renderModelCard, type ModelCardData } from "./models/model-card.ts";
export { Normalize } from "./models/modules/normalize.ts";
export { Pooling, type PoolingMode } from "./models/modules/pooling.ts";
export {
  SentenceTransformer,
  type EncodeOptions,
  type Embeddings,
  type SentenceTransformerOptions,
} from "./models/sentence-transformer.ts";
export { Transformer } from "./models/transformer.ts";
export { familyOf, supportedModelTypes, type ModelFamily } from "./models/families/index.ts";
export { pairwiseSimilarity, similarity, SimilarityFunction, type SimilarityFunctionName } from "./similarity.ts";
export {
  DEFAULT_DATA_DIRECTORY,
  DEFAULT_MODEL_TRAINING,
  devSplit,
  evaluate,
  loadModel,
  loadPairScore,
  pickLoss,
  save,
  show,
  showTrace,
  similarityEvaluator,
  train,
  tutorialArguments,
} from "./steps.ts";
export { AdamW } from "./training/adamw.ts";
export { SentenceTransformerTrainingArguments, type TrainingArgumentsInit } from "./training/arguments.ts";
export type { TrainerEvents, TrainOutput, StepEvent } from "./training/events.ts";
export { clipGradientsByGlobalNorm } from "./training/gradient-clipping.ts";
export { BatchSamplers, type BatchSampler } from "./training/samplers.ts";
export { NonFiniteLossError, OutputFolderInUseError, TrainingInterruptedError } from "./training/errors.ts";
export { SentenceTransformerTrainer, type TrainerInit, type TrainOptions } from "./training/trainer.ts";
export { lossAndGradients } from "./training/train-step.ts";
export { exportTrainingScript, type ExportOptions, type ExportResult } from "./scaleout/export.ts";
export { EMBEDTUNE_VERSION } from "./version.ts";
// Charts (Plotly figure specs) and their display in notebooks.
export { barChart, beforeAfterBars, type BarSeries } from "./charts/bars.ts";
export type { ChartTitles, Figure } from "./charts/figure.ts";
export { cosineSimilarityMatrix, similarityHeatmap } from "./charts/heatmap.ts";
export { binCounts, histogram, type BinOptions, type Bins, type HistogramOptions, type HistogramSeries } from "./charts/histogram.ts";
export { DEFAULT_RANK_EDGES, rankBuckets, rankHistogram, relevantRanks, type RankedHit, type RankHistogramOptions, type RankSeries } from "./charts/ranks.ts";
export { lineChart, trainingCurves, type LineSeries } from "./charts/lines.ts";
export { shortMetricNames } from "./charts/metric-names.ts";
export { importDanfo } from "./data/danfo.ts";
export { DisplayHandle, displayBundle, inNotebook, type MimeBundle } from "./notebook/display.ts";
export { ensurePlotlyLoaded, plotlyBundle, plotlyFigureHtml, plotlyLibraryHtml, showPlotly } from "./notebook/plotly.ts";
export { showBundle } from "./notebook/show.ts";
export { metricsTable, showTable, tableBundle, tableHtml, tableRows, tableText, type DataFrameLike, type RowsLike, type Table, type TableOptions, type TableRow } from "./notebook/table.ts";
export { showTrainingProgress, TrainingProgress, type TrainingProgressOptions } from "./notebook/training-progress.ts";
