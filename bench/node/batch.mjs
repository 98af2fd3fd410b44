// The openai-node client as its users write a batch: every prompt at once under Promise.all; each video is
// created, polled as the SDK's own poll helpers do (the openai-poll-after-ms header, else 5 s), and its
// content saved to a file.
// node batch.mjs BASE_URL COUNT OUT_DIR [PROMPT_PREFIX]
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import OpenAI from 'openai';

const [base, count, outDir, prefix = 'a prompt'] = process.argv.slice(2);
const client = new OpenAI({ apiKey: process.env.OPENAI_API_KEY, baseURL: base });
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function one(i) {
  let video = await client.videos.create({ model: 'sora-2', prompt: `${prefix} ${i}` });
  while (video.status === 'queued' || video.status === 'in_progress') {
    const { data, response } = await client.videos.retrieve(video.id).withResponse();
    video = data;
    if (video.status !== 'queued' && video.status !== 'in_progress') break;
    const hinted = parseInt(response.headers.get('openai-poll-after-ms') ?? '', 10);
    await sleep(Number.isNaN(hinted) ? 5000 : hinted);
  }
  if (video.status !== 'completed') throw new Error(`${video.id} ended ${video.status}`);
  const content = await client.videos.downloadContent(video.id);
  await pipeline(Readable.fromWeb(content.body), fs.createWriteStream(path.join(outDir, `${video.id}.mp4`)));
}

const started = performance.now();
await Promise.all(Array.from({ length: Number(count) }, (_, i) => one(i)));
console.log(`RESULT ${((performance.now() - started) / 1000).toFixed(3)}`);
