// Usage: node predict.mjs model.onnx features.bin rows columns
// Reads rows x columns little-endian float32 features, runs the model in onnxruntime-node and prints its labels as
// a JSON array of numbers.
import { readFileSync } from 'node:fs';
import * as ort from 'onnxruntime-node';

const [modelPath, featuresPath, rowsText, columnsText] = process.argv.slice(2);
const rows = Number(rowsText), columns = Number(columnsText);
const bytes = readFileSync(featuresPath);
const features = new Float32Array(bytes.buffer, bytes.byteOffset, rows * columns);
const session = await ort.InferenceSession.create(modelPath);
const results = await session.run({ input: new ort.Tensor('float32', features, [rows, columns]) });
console.log(JSON.stringify(Array.from(results.label.data, Number)));
