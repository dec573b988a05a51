// Kafka channel for API producers: each submission is one document, idempotent by its key.
import { Topics, describeControlCharacter, findControlCharacter, type Submission } from '@customs/contracts';
import { type AuditEntry, appendAuditIn, claimInbox, withAllTenants, type Kysely } from '@customs/db';
import type { PlatformKit } from '@customs/service';
import { hash } from 'node:crypto';
import type { IngestionConfig } from '../config';
import { ingestBuffered, parseBuffered, type BufferedDocument } from '../app/dispatch';
import { canonicalFormat, isErpFormat } from '../app/formats';
import { ingestDocuments, type IngestRequest } from '../app/ingest';
import { isUnstorableContent, recordRefusal, unstorableIssue } from '../app/refusal';
import { storable } from '../app/safe-text';
import type { IngestionDb } from '../db/migrations';
import { loadSubmissionKeys, verifySubmission } from '../app/submission-signature';
import { recordRefusedSubmissions, type RefusedSubmission } from '../db/refused-submission-repo';

export const GROUP = 'ingestion';

export function registerSubmissionConsumer(
  kit: Pick<PlatformKit<IngestionDb>, 'consume' | 'logger' | 'metrics'>,
  { db, config, documents }: { db: Kysely<IngestionDb>; config: IngestionConfig; documents: { inc(labels: { format: string; status: string }): void } },
): void {
  // Producers prove their tenant by signing (ADR 0011); the keys are read once, at start-up.
  const keys = loadSubmissionKeys(config);
  if (keys.size === 0) kit.logger.warn('no SUBMISSION_KEYS configured: every Kafka submission will be refused as unsigned');
  const refusedTotal = kit.metrics.counter('customs_submissions_refused_total', 'Kafka submissions refused as not authentic, by reason', ['code']);
  const tooLargeSubmission = (sourceName: string) => ({
    declarations: [],
    changes: [],
    issues: [{ severity: 'error' as const, sourceName, location: 'submission', field: 'content', code: 'TOO_LARGE', reason: `the document exceeds the ${config.MAX_DOCUMENT_BYTES}-byte limit` }],
  });
  // Kafka channel for API producers: each submission is one document, idempotent by its key.
  // (BatchConsumer scopes the Kafka group by KAFKA_TOPIC_PREFIX, like the topics.)
  const group = GROUP;
  kit.consume<Submission>({
    groupId: group,
    topic: Topics.submission,
    handle: async (events) => {
      // Each submission is parsed first, holding no connection; then the batch is claimed and
      // stored in one transaction, a crash in between losing nothing. Declaration documents
      // are stored with one ingestDocuments per tenant (shared statements), ERP lines alone.
      // A tenant header with a control character names no tenant (tenant ids are 1-64 of
      // [A-Za-z0-9_.-]): such a submission cannot be recorded as anyone's batch, so it goes to
      // the dead-letter topic (thrown below, after the others are stored), with this reason.
      const unrecordable = events.filter((ev) => findControlCharacter(ev.tenant));
      // Only a submission signed by a key of the tenant its header names is anyone's batch; the
      // rest are kept apart for review (refused_submissions), each once.
      const refusedSubmissions: RefusedSubmission[] = [];
      const authentic = events.filter((ev) => {
        if (unrecordable.includes(ev)) return false;
        const why = verifySubmission(keys, { tenant: ev.tenant, ceId: ev.headers.ce_id ?? '', headers: ev.headers, value: ev.rawValue });
        if (!why) return true;
        refusedSubmissions.push({
          tenantId: ev.tenant,
          topic: ev.topic,
          partition: ev.partition,
          offset: ev.offset,
          eventId: storable(ev.headers.ce_id ?? ''),
          keyId: storable(ev.headers['signature-key'] ?? ''),
          code: why.code,
          reason: storable(why.reason),
          headers: Object.fromEntries(Object.entries(ev.headers).map(([k, v]) => [storable(k), storable(v)])),
          content: ev.rawValue,
        });
        return false;
      });
      if (refusedSubmissions.length) {
        await withAllTenants(db, (trx) => recordRefusedSubmissions(trx, refusedSubmissions));
        for (const r of refusedSubmissions) refusedTotal.inc({ code: r.code });
        kit.logger.warn(
          { refused: refusedSubmissions.map((r) => ({ tenant: r.tenantId, topic: r.topic, partition: r.partition, offset: r.offset, code: r.code })) },
          'Kafka submissions refused as not authentic',
        );
      }
      const prepared = await Promise.all(
        authentic.map(async (ev) => {
          // The inbox id is text: a key (or CloudEvents id) with a control character is kept
          // there as its hash, still idempotent on redelivery and never equal to a clean key.
          // Both are scoped by tenant: one tenant's id never suppresses another's submission.
          const rawId = ev.value.idempotencyKey ? `submission/${ev.tenant}/${ev.value.idempotencyKey}` : `submission-event/${ev.tenant}/${ev.eventId}`;
          const id = findControlCharacter(rawId) ? `submission-sha256/${ev.tenant}/${hash('sha256', rawId, 'hex')}` : rawId;
          const format = canonicalFormat(ev.value.format);
          const content = Buffer.from(ev.value.content);
          const sourceName = `kafka:${ev.topic}/${ev.partition}/${ev.offset}:${ev.value.filename || 'submission'}`.slice(0, 200);
          const badKey = findControlCharacter(ev.value.idempotencyKey);
          // A submission names its tenant in the event (producers authenticate to the broker);
          // one whose payload claims another tenant is refused rather than trusted.
          const refused =
            ev.value.tenantId && ev.value.tenantId !== ev.tenant
              ? {
                  declarations: [],
                  changes: [],
                  issues: [
                    {
                      severity: 'error' as const,
                      sourceName,
                      location: 'submission',
                      field: 'tenant_id',
                      code: 'TENANT_MISMATCH',
                      reason: `the submission names tenant "${ev.value.tenantId}" but was produced for "${ev.tenant}"`,
                    },
                  ],
                }
              : badKey
                ? {
                    declarations: [],
                    changes: [],
                    issues: [
                      {
                        severity: 'error' as const,
                        sourceName,
                        location: 'submission',
                        field: 'idempotency_key',
                        code: 'CONTROL_CHARACTER',
                        reason: `the idempotency key contains ${describeControlCharacter(badKey)}; control characters are not allowed in identifiers, so the submission was not read`,
                      },
                    ],
                  }
                : content.length > config.MAX_DOCUMENT_BYTES
                  ? tooLargeSubmission(sourceName)
                  : undefined;
          const doc: BufferedDocument = { tenantId: ev.tenant, channel: 'kafka', format, sourceName, content, receivedAt: new Date(), parent: ev.context, refused };
          // Who submitted, for the audit trail: the signing key names the tenant's producer.
          const actor = {
            subject: `submission-key:${ev.headers['signature-key']}`,
            tokenId: ev.headers['signature-key'] ?? '',
            requestId: storable(ev.headers.ce_id ?? ''),
            target: `${ev.topic}/${ev.partition}/${ev.offset}`,
            details: { filename: storable(ev.value.filename), format: storable(ev.value.format), idempotencyKey: storable(ev.value.idempotencyKey) },
          };
          return { id, topic: ev.topic, doc, actor, parsed: isErpFormat(format) && !refused ? undefined : await parseBuffered(doc, config.MAX_DOCUMENT_BYTES) };
        }),
      );
      const store = (items: typeof prepared) =>
        withAllTenants(db, async (trx) => {
          const fresh = await claimInbox(
            trx,
            group,
            items.map((p) => ({ eventId: p.id, topic: p.topic })),
          );
          const byTenant = new Map<string, IngestRequest[]>();
          const audit: AuditEntry[] = [];
          const entry = (item: (typeof items)[number], result: { batchId: string; status: string }): AuditEntry => ({
            tenantId: item.doc.tenantId,
            subject: item.actor.subject,
            role: 'integrator',
            tokenId: item.actor.tokenId,
            sourceIp: '',
            userAgent: 'kafka',
            requestId: item.actor.requestId,
            action: `KAFKA ${Topics.submission.name}`,
            target: item.actor.target,
            outcome: result.status === 'rejected' ? 422 : 201,
            details: { ...item.actor.details, batchId: result.batchId, status: result.status },
          });
          const byTenantItems = new Map<string, (typeof items)[number][]>();
          for (const item of items) {
            const { id, doc, parsed } = item;
            if (!fresh.has(id)) continue;
            fresh.delete(id); // a repeated key later in the same batch is a duplicate too
            if (!parsed) {
              const result = await ingestBuffered(trx, doc, config.MAX_DOCUMENT_BYTES);
              documents.inc({ format: doc.format, status: result.status });
              audit.push(entry(item, result));
            } else {
              const reqs = byTenant.get(doc.tenantId) ?? [];
              byTenant.set(doc.tenantId, reqs);
              reqs.push(parsed);
              byTenantItems.set(doc.tenantId, [...(byTenantItems.get(doc.tenantId) ?? []), item]);
            }
          }
          for (const [tenant, reqs] of byTenant) {
            const results = await ingestDocuments(trx, reqs);
            results.forEach((r, i) => {
              documents.inc({ format: reqs[i]!.format, status: r.status });
              audit.push(entry(byTenantItems.get(tenant)![i]!, r));
            });
          }
          // Every submission stored is in the audit trail, in the same transaction as its batch.
          await appendAuditIn(trx, audit);
        });
      try {
        await store(prepared);
      } catch (e) {
        if (!isUnstorableContent(e)) throw e;
        // A submission whose content the database refuses (what no parser foresaw) is recorded
        // as a rejected batch, raw bytes and all, not retried into the dead-letter topic: each
        // submission alone, the refused ones with the database's reason.
        for (const item of prepared) {
          try {
            await store([item]);
          } catch (e2) {
            if (!isUnstorableContent(e2)) throw e2;
            const sourceName = item.parsed?.sourceName ?? storable(item.doc.sourceName);
            await withAllTenants(db, async (trx) => {
              if ((await claimInbox(trx, group, [{ eventId: item.id, topic: item.topic }])).size === 0) return;
              const r = await recordRefusal(trx, { ...item.doc, sourceName }, [...(item.parsed?.parsed.issues ?? []), unstorableIssue(sourceName, e2)]);
              documents.inc({ format: item.doc.format, status: r.status });
            });
          }
        }
      }
      if (unrecordable.length)
        throw new Error(
          `submission at ${unrecordable.map((ev) => `${ev.topic}/${ev.partition}/${ev.offset}`).join(', ')}: its "tenant" header contains ${describeControlCharacter(findControlCharacter(unrecordable[0]!.tenant)!)}, so it names no tenant (tenant ids are 1-64 of [A-Za-z0-9_.-]) and cannot be recorded as a batch; fix the producer's tenant header and re-send`,
        );
    },
  });
}
