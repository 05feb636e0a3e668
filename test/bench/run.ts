// Entry point of `npm run bench`; everything else lives in cli.ts and benchmark.ts.
import { main } from './cli.ts';

process.exitCode = await main(process.argv.slice(2));
