// Streams alert changes over gRPC (AlertingService.StreamAlerts) and prints one line each.
// usage: node scripts/watch-alerts.js [--after CURSOR] [--address 127.0.0.1:9085] [--token T]
const fs = require('node:fs');
const path = require('node:path');
const { credentials, Metadata } = require('@grpc/grpc-js');
const { AlertingServiceClient, AlertStatus, Severity } = require('../packages/contracts/dist');

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
};
const tokensFile = path.resolve(__dirname, '../.run/api-tokens');
const token = opt('token', process.env.CUSTOMS_TOKEN ?? (fs.existsSync(tokensFile) ? fs.readFileSync(tokensFile, 'utf8').split('\n').find((l) => l.endsWith(':analyst'))?.split('=')[0] : undefined));
if (!token) {
  console.error('no token: pass --token or set CUSTOMS_TOKEN');
  process.exit(1);
}
const client = new AlertingServiceClient(opt('address', '127.0.0.1:9085'), credentials.createInsecure());
const md = new Metadata();
md.set('authorization', `Bearer ${token}`);
const stream = client.streamAlerts({ afterCursor: Number(opt('after', '0')) }, md);
stream.on('data', ({ change }) => {
  const a = change.alert;
  console.log(`#${a.cursor} ${change.change.at} ${Severity[a.severity].replace('SEVERITY_', '')} ${AlertStatus[a.status].replace('ALERT_STATUS_', '')} ${a.title} (alert ${a.alertId}, ${change.change.reason})`);
});
stream.on('error', (e) => {
  console.error(`stream ended: ${e.details || e.message}`);
  process.exit(1);
});
