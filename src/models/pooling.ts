export { POOLING_MODES, Pooling, type PoolingMode } from "./modules/pooling.ts";
