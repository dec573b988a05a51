import { useEffect, useState } from 'preact/hooks';
import { api } from '../api';
import { day, deadlineText, pounds, when } from '../format';
import { Severity, Notice } from './common';

// One declaration: its versions (amendments), items, declared tax lines beside what validation
// recomputed (the findings' priced differences and the duty engine's explanation), all findings.
export function DeclarationView(props: { id: string }) {
  const [d, setD] = useState<any>();
  const [error, setError] = useState('');
  useEffect(() => {
    api(`/api/declarations/${encodeURIComponent(props.id)}`).then(setD, (e) => setError((e as Error).message));
  }, [props.id]);
  if (error) return <Notice kind="error">{error}</Notice>;
  if (!d) return <p>Loading…</p>;
  const decl = d.declaration;
  const active = d.findings.filter((f: any) => f.status !== 'superseded' && !f.supersededBy);
  return (
    <article aria-labelledby="decl-h">
      <h1 id="decl-h">Declaration {decl.mrn || decl.lrn || decl.declarationId}</h1>
      <dl class="facts">
        <dt>Id</dt>
        <dd>{decl.declarationId}</dd>
        <dt>Importer</dt>
        <dd>{decl.importerEori || '—'}</dd>
        <dt>Acceptance date</dt>
        <dd>{day(decl.acceptanceDate)}</dd>
        <dt>Version shown</dt>
        <dd>
          {decl.version} ({decl.changeKind})
        </dd>
        <dt>Source</dt>
        <dd>
          {decl.sourceFormat} · {decl.sourceName}
        </dd>
        <dt>Score</dt>
        <dd>{d.score ? `${d.score.score} (risk ${d.score.risk ?? '—'}, ${d.score.modelVersion})` : 'not scored yet'}</dd>
      </dl>
      <section aria-labelledby="versions-h">
        <h2 id="versions-h">Versions</h2>
        {d.versions ? (
          <table>
            <thead>
              <tr>
                <th scope="col">Version</th>
                <th scope="col">Change</th>
                <th scope="col">Status</th>
                <th scope="col">Items</th>
                <th scope="col">Received</th>
                <th scope="col">Batch</th>
              </tr>
            </thead>
            <tbody>
              {d.versions.versions.map((v: any) => (
                <tr>
                  <td>{v.version}</td>
                  <td>{v.change_kind}</td>
                  <td>{v.status}</td>
                  <td>{v.item_count}</td>
                  <td>{when(v.received_at)}</td>
                  <td>
                    <a href={`#/ingestion/${encodeURIComponent(v.batch_id)}`}>{String(v.batch_id).slice(0, 8)}</a>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : (
          <Notice>No version history.</Notice>
        )}
      </section>
      <section aria-labelledby="items-h">
        <h2 id="items-h">Items and tax lines</h2>
        {(decl.items ?? []).map((i: any) => {
          const fs = active.filter((f: any) => f.itemNumber === i.itemNumber);
          return (
            <div class="item">
              <h3>
                Item {i.itemNumber}: {i.commodityCode} — {i.description}
              </h3>
              <p class="meta">
                procedure {i.procedureCode} {(i.additionalProcedureCodes ?? []).join(' ')} · origin {i.originCountry || '—'} · preference {i.preference || '—'} · price{' '}
                {i.itemPrice ? `${i.itemPrice.value} ${i.itemPrice.currency}` : '—'}
              </p>
              <table>
                <caption>Declared tax lines</caption>
                <thead>
                  <tr>
                    <th scope="col">Tax type</th>
                    <th scope="col">Base</th>
                    <th scope="col">Rate</th>
                    <th scope="col" class="num">
                      Declared
                    </th>
                    <th scope="col" class="num">
                      Suspended
                    </th>
                    <th scope="col">Method of payment</th>
                  </tr>
                </thead>
                <tbody>
                  {(i.taxLines ?? []).length === 0 && (
                    <tr>
                      <td colSpan={6}>no tax line declared</td>
                    </tr>
                  )}
                  {(i.taxLines ?? []).map((t: any) => (
                    <tr>
                      <td>{t.taxType}</td>
                      <td>
                        {t.baseAmount ?? '—'} {t.baseUnit ?? ''}
                      </td>
                      <td>{t.rate ?? '—'}</td>
                      {/* An absent amount (proto3 JSON drops zeros and unknowns alike) is shown as none stated, never as £0. */}
                      <td class="num">{t.payablePence !== undefined ? pounds(t.payablePence) : 'none stated'}</td>
                      <td class="num">{t.suspendedPence !== undefined ? pounds(t.suspendedPence) : '—'}</td>
                      <td>{t.methodOfPayment ?? '—'}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
              <Tariff rate={d.rates?.[`${i.commodityCode}|${i.originCountry ?? ''}`]} />
              <p>
                <strong>Recomputed:</strong>{' '}
                {fs.length === 0
                  ? 'no difference found by the rules.'
                  : fs.map((f: any) => (
                      <span class="recomputed">
                        {f.ruleId}: {f.explanation}{' '}
                      </span>
                    ))}
              </p>
            </div>
          );
        })}
      </section>
      <section aria-labelledby="dfind-h">
        <h2 id="dfind-h">
          All findings ({d.findings.length}, {active.length} active)
        </h2>
        <table>
          <thead>
            <tr>
              <th scope="col">Rule</th>
              <th scope="col">Item</th>
              <th scope="col">Severity</th>
              <th scope="col">Title</th>
              <th scope="col" class="num">
                £ exposure
              </th>
              <th scope="col" class="num">
                £ reclaim
              </th>
              <th scope="col">Deadline</th>
            </tr>
          </thead>
          <tbody>
            {d.findings.map((f: any) => (
              <tr>
                <td>
                  {f.ruleId} {f.ruleVersion}
                </td>
                <td>{f.itemNumber || 'header'}</td>
                <td>
                  <Severity value={f.severity} />
                </td>
                <td>{f.title}</td>
                <td class="num">{pounds(Number(f.exposureDutyPence ?? 0) + Number(f.exposureVatPence ?? 0))}</td>
                <td class="num">{pounds(Number(f.reclaimDutyPence ?? 0) + Number(f.reclaimVatPence ?? 0))}</td>
                <td>{deadlineText(f.deadline, f.daysLeft)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
    </article>
  );
}

/** What the reference service holds for the line's code and origin on its acceptance date. */
function Tariff(props: { rate: any }) {
  const r = props.rate;
  if (!r) return <p class="meta">Tariff on the acceptance date: not available (reference has no answer for this code).</p>;
  const third = r.thirdCountry;
  return (
    <p class="meta" data-testid="tariff">
      Tariff on {r.date}: third-country duty {third ? `${third.expression} (measure ${third.measureType}, ${third.datasetVersion})` : 'unknown'}
      {r.preferential?.length ? ` · ${r.preferential.length} preferential rate(s): ${r.preferential.map((p: any) => `${p.expression} (${p.geographicalArea})`).join(', ')}` : ''}
      {r.vat?.length ? ` · VAT ${r.vat.map((v: any) => v.expression).join(' / ')}` : ''}
      {r.measuresLoaded ? '' : ` · ${r.unknownReason || 'Online Trade Tariff measures not loaded: preferences, suspensions, remedies and VAT unknown'}`}
    </p>
  );
}
