// Runs the graphql-http audit suite (auditServer) against a GraphQL URL,
// prints every result, and exits 1 when any MUST or SHOULD check fails
// (MAY checks are printed as notices and do not fail the run).
//
//   node audit.mjs http://127.0.0.1:8080/query
import { auditServer } from 'graphql-http';

const url = process.argv[2] || process.env.AUDIT_URL;
if (!url) {
  console.error('usage: node audit.mjs URL');
  process.exit(2);
}

const results = await auditServer({ url });
const counts = { ok: 0, notice: 0, warn: 0, error: 0 };
for (const r of results) {
  counts[r.status]++;
  const mark = { ok: 'ok    ', notice: 'notice', warn: 'FAIL  ', error: 'FAIL  ' }[r.status];
  console.log(`${mark} ${r.id} ${r.name}${r.status === 'ok' ? '' : ` -- ${r.reason}`}`);
  if (r.status === 'warn' || r.status === 'error') {
    console.log(`       status ${r.response.status}, content-type ${r.response.headers.get('content-type')}`);
    console.log(`       body ${(await r.response.text()).slice(0, 300)}`);
  }
}
const mustFailed = results.filter((r) => r.status === 'error').length;
const shouldFailed = results.filter((r) => r.status === 'warn').length;
console.log(`\n${results.length} audits: ${counts.ok} ok, ${mustFailed} MUST failed, ${shouldFailed} SHOULD failed, ${counts.notice} MAY not met`);
process.exit(mustFailed + shouldFailed > 0 ? 1 : 0);
