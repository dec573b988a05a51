import { useEffect, useState } from 'preact/hooks';
import { api, type Me } from '../api';
import { when } from '../format';
import { Notice } from './common';

// Content types ingestion reads as they are; any other file goes as bytes (application/octet-stream).
const UPLOAD_TYPES = ['application/xml', 'text/xml', 'text/csv', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', 'application/vnd.oasis.opendocument.spreadsheet'];
const FORMATS: [string, string][] = [
  ['dms-xml', 'DMS declaration XML'],
  ['cds-report', 'HMRC CDS report (CSV/.xlsx/.ods)'],
  ['chief-mss', 'CHIEF MSS report'],
  ['erp-csv', 'ERP receipts CSV'],
];

// Batches as ingestion keeps them, a batch's precise issues, what validation could not check,
// and re-upload of a corrected file (integrator or admin).
export function Ingestion(props: { me: Me }) {
  const [batches, setBatches] = useState<any[]>();
  const [batch, setBatch] = useState<any>();
  const [notChecked, setNotChecked] = useState<any>();
  const [error, setError] = useState('');
  const [file, setFile] = useState<File | null>(null);
  const [format, setFormat] = useState('dms-xml');
  const [result, setResult] = useState('');
  const selected = decodeURIComponent(location.hash.split('/')[2] ?? '');
  const load = () =>
    api('/api/batches?limit=200').then(
      (r) => setBatches(r.batches),
      (e) => setError((e as Error).message),
    );
  useEffect(() => {
    void load();
    api('/api/not-checked?limit=50').then(setNotChecked, () => setNotChecked(null));
  }, []);
  useEffect(() => {
    if (selected) api(`/api/batches/${encodeURIComponent(selected)}`).then(setBatch, (e) => setError((e as Error).message));
    else setBatch(undefined);
  }, [selected]);
  const upload = async (e: Event) => {
    e.preventDefault();
    if (!file) return;
    try {
      const r = await api(`/api/documents?filename=${encodeURIComponent(file.name)}&format=${format}`, {
        method: 'POST',
        raw: file,
        contentType: UPLOAD_TYPES.includes(file.type) ? file.type : 'application/octet-stream',
      });
      setResult(
        `${file.name}: ${r.status}, batch ${r.batchId}${
          r.issues?.length
            ? ` — ${r.issues.length} issue(s): ${r.issues
                .slice(0, 3)
                .map((i: any) => i.reason)
                .join('; ')}`
            : ''
        }`,
      );
      void load();
    } catch (err) {
      setResult(`${file.name}: ${(err as Error).message}`);
    }
  };
  if (error) return <Notice kind="error">{error}</Notice>;
  if (!batches) return <p>Loading…</p>;
  const rejected = batches.filter((b) => b.status === 'rejected').length;
  return (
    <section aria-labelledby="ing-h">
      <h1 id="ing-h">Ingestion health</h1>
      <p data-testid="ingestion-summary">
        {batches.length} most recent batches · {rejected} rejected (kept with their raw bytes) · {batches.filter((b) => b.status === 'accepted').length} accepted
      </p>
      {props.me.can.submit ? (
        <form class="upload" onSubmit={upload} aria-label="Upload a corrected document">
          <label>
            Corrected file
            <input type="file" onChange={(e) => setFile((e.target as HTMLInputElement).files?.[0] ?? null)} />
          </label>
          <label>
            Format
            <select value={format} onChange={(e) => setFormat((e.target as HTMLSelectElement).value)}>
              {FORMATS.map(([v, t]) => (
                <option value={v}>{t}</option>
              ))}
            </select>
          </label>
          <button type="submit" disabled={!file}>
            Re-upload
          </button>
          {result && (
            <p class="notice" data-testid="upload-result" aria-live="polite">
              {result}
            </p>
          )}
        </form>
      ) : (
        <Notice>Re-uploading needs an integrator token; your role ({props.me.role}) can review batches.</Notice>
      )}
      {batch && (
        <div class="drill" data-testid="batch-detail">
          <h2>
            Batch {batch.batch.source_name} — {batch.batch.status}
          </h2>
          <p class="meta">
            {batch.batch.format} · {batch.batch.size_bytes} bytes · received {when(batch.batch.received_at)} · {batch.batch.declarations_accepted} accepted, {batch.batch.declarations_duplicate}{' '}
            duplicate, {batch.batch.declarations_rejected} rejected · sha256 <code>{batch.batch.content_sha256}</code>
          </p>
          <table>
            <caption>Issues ({batch.issues.length})</caption>
            <thead>
              <tr>
                <th scope="col">Severity</th>
                <th scope="col">Code</th>
                <th scope="col">Where</th>
                <th scope="col">Field</th>
                <th scope="col">Reason</th>
              </tr>
            </thead>
            <tbody>
              {batch.issues.map((i: any) => (
                <tr>
                  <td>{i.severity}</td>
                  <td>{i.code}</td>
                  <td>
                    {i.source_name}
                    {i.line ? ` line ${i.line}` : ''}
                    {i.column_number ? ` col ${i.column_number}` : ''} {i.location}
                  </td>
                  <td>{i.field}</td>
                  <td>{i.reason}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <table data-testid="batches">
        <caption>Batches, newest first</caption>
        <thead>
          <tr>
            <th scope="col">Received</th>
            <th scope="col">File</th>
            <th scope="col">Format</th>
            <th scope="col">Status</th>
            <th scope="col" class="num">
              Accepted
            </th>
            <th scope="col" class="num">
              Issues
            </th>
          </tr>
        </thead>
        <tbody>
          {batches.map((b) => (
            <tr class={b.status === 'rejected' ? 'rejected' : undefined}>
              <td>{when(b.received_at)}</td>
              <td>
                <a href={`#/ingestion/${encodeURIComponent(b.batch_id)}`}>{b.source_name}</a>
              </td>
              <td>{b.format}</td>
              <td>{b.status}</td>
              <td class="num">{b.declarations_accepted}</td>
              <td class="num">{b.issue_count}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h2>Declarations validation could not check</h2>
      {notChecked === undefined ? (
        <p>Loading…</p>
      ) : notChecked === null ? (
        <Notice kind="error">Validation did not answer.</Notice>
      ) : notChecked.notChecked.length === 0 ? (
        <p>None: every declaration received was checked by every rule.</p>
      ) : (
        <table data-testid="not-checked">
          <caption>The latest {notChecked.notChecked.length} “not checked, because …” records</caption>
          <thead>
            <tr>
              <th scope="col">Recorded</th>
              <th scope="col">Declaration</th>
              <th scope="col">Rule / item</th>
              <th scope="col">Cause</th>
              <th scope="col">Reason</th>
            </tr>
          </thead>
          <tbody>
            {notChecked.notChecked.map((n: any) => (
              <tr>
                <td>{when(n.recordedAt)}</td>
                <td>
                  {n.declarationId ? (
                    <a href={`#/declarations/${encodeURIComponent(n.declarationId)}`}>{n.mrn || n.lrn || n.declarationId}</a>
                  ) : (
                    `${n.topic ?? ''} ${n.partition ?? ''}/${n.offset ?? ''}`
                  )}
                </td>
                <td>
                  {n.ruleId || '—'}
                  {n.itemNumber ? ` item ${n.itemNumber}` : ''}
                </td>
                <td>{n.cause}</td>
                <td>{n.reason}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
