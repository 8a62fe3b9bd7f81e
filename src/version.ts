// The package version (from package.json), written into saved model folders.
import packageJson from "../package.json" with { type: "json" };

export const EMBEDTUNE_VERSION: string = packageJson.version;
