const t0 = Date.now();
const log = (s: string) => process.stderr.write(`${((Date.now() - t0) / 1000).toFixed(1)} ${s}\n`);
const { readKerasModel } = await import('/work/main/src/model/saved-model.ts');
log('import');
try { const m = await readKerasModel('/tmp/h5fz/c6.h5'); log(`read ${m?.layers.length} layers`); } catch (e) { log(`read error ${(e as Error).message.slice(0, 200)}`); }
const { loadConfig } = await import('/work/main/src/model/load-config-with-model.ts');
try { const c = await loadConfig('/tmp/h5fz/c6.yaml'); log(`config ${JSON.stringify(c.config.network).slice(0, 300)}`); } catch (e) { log(`config error ${(e as Error).message.slice(0, 200)}`); }
