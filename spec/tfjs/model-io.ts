/**
 * TF.js model files on disk in Node without @tensorflow/tfjs-node: an IOHandler that loads
 * `model.json` and its shards (through tf.io.fromMemory), and one that saves them — what a user of
 * `rnngrad/tfjs` in Node writes (the README shows the loader).
 */
import * as fs from 'fs';
import * as path from 'path';
import type * as tfjs from '@tensorflow/tfjs';

type TF = typeof tfjs;

interface ManifestGroup {
  readonly paths: readonly string[];
  readonly weights: tfjs.io.WeightsManifestEntry[];
}

/** An IOHandler for `tf.loadLayersModel` reading DIR/model.json and the shards it names. */
export function fileLoader(tf: TF, jsonPath: string): tfjs.io.IOHandler {
  const json = JSON.parse(fs.readFileSync(jsonPath, 'utf8')) as { modelTopology: object; weightsManifest: ManifestGroup[] };
  const dir = path.dirname(jsonPath);
  const groups = json.weightsManifest;
  const shards = groups.flatMap((g) => g.paths.map((p) => fs.readFileSync(path.join(dir, p))));
  const bytes = Buffer.concat(shards);
  const weightData = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  return tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: groups.flatMap((g) => g.weights), weightData });
}

/** An IOHandler for `model.save` writing DIR/model.json + DIR/weights.bin (one shard). */
export function fileSaver(dir: string): tfjs.io.IOHandler {
  return {
    save: async (artifacts: tfjs.io.ModelArtifacts): Promise<tfjs.io.SaveResult> => {
      fs.mkdirSync(dir, { recursive: true });
      const data = artifacts.weightData;
      const parts = data === undefined ? [] : Array.isArray(data) ? data : [data];
      fs.writeFileSync(path.join(dir, 'weights.bin'), Buffer.concat(parts.map((b) => Buffer.from(b))));
      const manifest = [{ paths: ['weights.bin'], weights: artifacts.weightSpecs ?? [] }];
      const json = { format: 'layers-model', generatedBy: artifacts.generatedBy, convertedBy: artifacts.convertedBy, modelTopology: artifacts.modelTopology, weightsManifest: manifest };
      fs.writeFileSync(path.join(dir, 'model.json'), JSON.stringify(json));
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    },
  };
}
