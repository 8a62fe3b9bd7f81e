export { Normalize, l2Normalize } from "./modules/normalize.ts";
