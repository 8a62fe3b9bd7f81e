// What the Hub accepts as a repo id (huggingface_hub utils/_validators.py validate_repo_id): "name" or
// "namespace/name", letters, digits, "_", "-", "." between word boundaries, name ≤ 96 characters, no "--"
// or "..", not ending in ".git".

const REPO_ID = /^(\b[\w\-.]+\b\/)?\b[\w\-.]{1,96}\b$/;

export function looksLikeRepoId(text: string): boolean {
  return REPO_ID.test(text) && !text.includes("--") && !text.includes("..") && !text.endsWith(".git");
}
