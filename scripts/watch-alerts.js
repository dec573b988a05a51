// Streams alert changes over gRPC (AlertingService.StreamAlerts) and prints one line each.
// usage: node scripts/watch-alerts.js [--after CURSOR] [--min-severity high] [--rule AR-003,AR-007] [--broker EORI]
//        [--min-pence N] [--address 127.0.0.1:9085] [--token T]
const fs = require('node:fs');
const path = require('node:path');
const { credentials, Metadata } = require('@grpc/grpc-js');
const { AlertingServiceClient, AlertStatus, Severity, StreamAlertsRequest } = require('../packages/contracts/dist');

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
};
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
