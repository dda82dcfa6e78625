// For measurements: llama.cpp's tokens (node-llama-cpp's prebuilt build) for many texts at once.
// `node tokens.mjs MODULE_DIR MODEL.gguf < texts.json`, where texts.json is a JSON list of
// {"text": ..., "special": bool} (`special`: special tokens written in the text read as those
// tokens, as a chat template's are); prints one JSON list of token lists.
import {pathToFileURL} from "node:url";
import {join} from "node:path";
import {readFileSync} from "node:fs";

const [moduleDir, modelPath] = process.argv.slice(2);
const items = JSON.parse(readFileSync(0, "utf8"));
const {getLlama, LlamaLogLevel} = await import(pathToFileURL(join(moduleDir, "node_modules/node-llama-cpp/dist/index.js")).href);
const llama = await getLlama({gpu: false, build: "never", logLevel: LlamaLogLevel.error});
const model = await llama.loadModel({modelPath});
console.log(JSON.stringify(items.map((item) => Array.from(model.tokenize(item.text, item.special)))));
