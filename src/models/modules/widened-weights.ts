// Weights stored in half precision (F16, BF16) are widened to float32 when read (safetensors.ts'
// toFloat32): embedtune computes and trains in float32. This says so on stderr once per process.

let noted = false;

export function noteWidenedWeights(file: string, dtype: string, options: { quiet?: boolean } = {}): void {
  if (noted || options.quiet || (dtype !== "F16" && dtype !== "BF16")) return;
  noted = true;
  process.stderr.write(`embedtune: ${file} stores weights as ${dtype}; they are widened to float32 to compute and train\n`);
}
