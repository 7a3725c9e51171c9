/**
 * `npm run load`: with `--baseline app_queue`, native Asterisk Queue() against the engine on the
 * same Asterisk at each rate (load-native.ts, with the admission-limit and ARI transport options);
 * otherwise the engine alone through Asterisk, or FreeSWITCH with `--pbx freeswitch` (load-pbx.ts).
 */
await import(process.argv.includes('--baseline') ? './load-native.js' : './load-pbx.js');
