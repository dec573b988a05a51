// Streams alert changes over gRPC (AlertingService.StreamAlerts) and prints one line each.
// usage: node scripts/watch-alerts.js [--after CURSOR] [--min-severity high] [--rule AR-003,AR-007] [--broker EORI]
//        [--min-pence N] [--address 127.0.0.1:9085] [--token T]
const fs = require('node:fs');
const path = require('node:path');
const { credentials, Metadata } = require('@grpc/grpc-js');
const { AlertingServiceClient, AlertStatus, Severity, StreamAlertsRequest } = require('../packages/contracts/dist');

const { commandLine } = require('./lib/command-line');

const { values } = commandLine({
  name: 'watch-alerts',
  usage: `usage: node scripts/watch-alerts.js [options]
Streams alert changes over gRPC (AlertingService.StreamAlerts) and prints one line each.
  --after CURSOR        resume after this change cursor (default 0: from the start)
  --min-severity S      low, medium, high or critical
  --rule IDS            only these alert rules, comma-separated (AR-003,AR-007)
  --broker EORI         only this broker's alerts
  --min-pence N         only alerts worth at least N pence
  --address HOST:PORT   alerting's gRPC address (default 127.0.0.1:9085)
  --token T             analyst token (default $CUSTOMS_TOKEN or .run/api-tokens)
  -h, --help            this text
exit codes: 0 stream ended, 1 failed, 64 bad command line`,
  options: Object.fromEntries(['after', 'min-severity', 'rule', 'broker', 'min-pence', 'address', 'token'].map((k) => [k, { type: 'string' }])),
});
const opt = (name, dflt) => values[name] ?? dflt;
const tokensFile = path.resolve(__dirname, '../.run/api-tokens');
const token = opt(
  'token',
  process.env.CUSTOMS_TOKEN ??
    (fs.existsSync(tokensFile)
      ? fs
          .readFileSync(tokensFile, 'utf8')
          .split('\n')
          .find((l) => l.endsWith(':analyst'))
          ?.split('=')[0]
      : undefined),
);
if (!token) {
  console.error('no token: pass --token or set CUSTOMS_TOKEN');
  process.exit(1);
}
const client = new AlertingServiceClient(opt('address', '127.0.0.1:9085'), credentials.createInsecure());
const md = new Metadata();
md.set('authorization', `Bearer ${token}`);
// Filters are applied by the server; the cursor still moves past filtered-out changes.
const minSeverity = opt('min-severity') ? Severity[`SEVERITY_${opt('min-severity').toUpperCase()}`] : 0;
const request = StreamAlertsRequest.fromPartial({
  afterCursor: Number(opt('after', '0')),
  minSeverity,
  alertRuleIds: opt('rule') ? opt('rule').split(',') : [],
  broker: opt('broker', ''),
  minPence: Number(opt('min-pence', '0')),
});
const stream = client.streamAlerts(request, md);
stream.on('data', ({ change }) => {
  const a = change.alert;
  const pounds = `£${((a.exposurePence + a.reclaimPence) / 100).toFixed(2)}`;
  console.log(
    `#${a.cursor} ${change.change.at} ${Severity[a.severity].replace('SEVERITY_', '')} ${AlertStatus[a.status].replace('ALERT_STATUS_', '')} ${change.change.kind} ${pounds}${a.hasDeadline ? ` ${a.daysLeft} days left` : ''} ${a.title} (alert ${a.alertId}, ${change.change.reason})`,
  );
});
stream.on('error', (e) => {
  console.error(`stream ended: ${e.details || e.message}`);
  process.exit(1);
});
