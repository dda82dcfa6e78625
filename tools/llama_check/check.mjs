// For the tests: load a GGUF file in llama.cpp (node-llama-cpp's prebuilt build) and print,
// per prompt, its tokens, whether llama.cpp adds BOS and EOS, and llama.cpp's probability of
// every next token, as JSON lines.
// `node check.mjs MODULE_DIR MODEL.gguf [--special] [--f32-attention] [--lora ADAPTER.gguf] PROMPT...`; MODULE_DIR
// holds node_modules; `--special`: special tokens written in a prompt are read as those tokens
// (a chat template's); `--f32-attention`: attention in 32 bits (llama.cpp keeps its cache in
// 16 and, on the CPU, attends in 16 with flash attention), so the file's numbers are compared,
// not llama.cpp's half precision (which moves a peaked distribution by up to 2e-3); `--lora`: a
// GGUF LoRA adapter applied to the model, as `llama-cli --lora` applies it.
import {pathToFileURL} from "node:url";
import {join} from "node:path";

const [moduleDir, modelPath, ...rest] = process.argv.slice(2);
const flags = new Set();
let lora;
while (["--special", "--f32-attention", "--lora"].includes(rest[0])) {
  const flag = rest.shift();
  if (flag === "--lora") lora = rest.shift();
  else flags.add(flag);
}
const special = flags.has("--special");
const prompts = rest;
const inF32 = flags.has("--f32-attention")
  ? {flashAttention: false, experimentalKvCacheKeyType: "F32", experimentalKvCacheValueType: "F32"}
  : {};
const {getLlama, LlamaLogLevel} = await import(pathToFileURL(join(moduleDir, "node_modules/node-llama-cpp/dist/index.js")).href);
const llama = await getLlama({gpu: false, build: "never", logLevel: LlamaLogLevel.error});
const model = await llama.loadModel({modelPath});
for (const prompt of prompts) {
  const tokens = model.tokenize(prompt, special);
  // Whether llama.cpp puts BOS before a text and EOS after it, as the file says or its
  // pre-tokenizer's name implies.
  const specials = {addBos: model.tokens.shouldPrependBosToken, addEos: model.tokens.shouldAppendEosToken};
  // One line per prompt whatever happens: its tokens, and the next token's probabilities when
  // the evaluation gave them (null when it yielded no step, as it once did under CI's load;
  // the tests then run a fresh process).
  let probabilities = null;
  const context = await model.createContext({contextSize: 256, ...inF32, ...(lora ? {lora} : {})});
  const sequence = context.getSequence();
  // No top-k, top-p or min-p: the whole distribution, as the model gives it.
  const options = {temperature: 1, topK: 1 << 30, topP: 1, minP: 0};
  for await (const step of sequence.evaluateWithMetadata(tokens, {probabilities: true}, options)) {
    probabilities = Object.fromEntries(step.probabilities);
    break;
  }
  await context.dispose();
  console.log(JSON.stringify({prompt, tokens: Array.from(tokens), ...specials, probabilities}));
}
