import { useEffect, useState } from 'preact/hooks';
import { api, type Me } from '../api';
import { when } from '../format';
import { Notice } from './common';

// Tenant settings of the alert rules (enable/disable), with their audit trail: admin only. The
// console server refuses these calls for other roles too, and alerting checks again.
export function Admin(props: { me: Me }) {
  const [rules, setRules] = useState<any[]>();
  const [audit, setAudit] = useState<any[]>([]);
  const [message, setMessage] = useState('');
  const load = () => {
    api('/api/alert-rules').then(
      (r) => setRules(r.rules),
      (e) => setMessage((e as Error).message),
    );
    api('/api/admin/audit').then(
      (r) => setAudit(r.entries),
      () => undefined,
    );
  };
  useEffect(() => {
    if (props.me.can.admin) load();
  }, []);
  if (!props.me.can.admin)
    return (
      <section aria-labelledby="adm-h">
        <h1 id="adm-h">Admin</h1>
        <Notice kind="error">Admin actions need the admin role; you are signed in as {props.me.role}.</Notice>
      </section>
    );
  const toggle = async (r: any) => {
    try {
      await api(`/api/admin/alert-rules/${encodeURIComponent(r.id)}/settings`, { method: 'PUT', body: { enabled: !r.enabled } });
      setMessage(`${r.id} ${r.enabled ? 'disabled' : 'enabled'}`);
      load();
    } catch (e) {
      setMessage((e as Error).message);
    }
  };
  return (
    <section aria-labelledby="adm-h">
      <h1 id="adm-h">Admin — alert rules</h1>
      {message && <Notice>{message}</Notice>}
      <table>
        <thead>
          <tr>
            <th scope="col">Rule</th>
            <th scope="col">Type</th>
            <th scope="col">Level</th>
            <th scope="col">Enabled</th>
          </tr>
        </thead>
        <tbody>
          {(rules ?? []).map((r) => (
            <tr>
              <td>
                {r.id} {r.name}
              </td>
              <td>{r.type}</td>
              <td>{r.level}</td>
              <td>
                <button type="button" onClick={() => toggle(r)} aria-label={`${r.enabled ? 'Disable' : 'Enable'} ${r.id}`}>
                  {r.enabled ? 'Disable' : 'Enable'}
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <h2>Audit</h2>
      <ul>
        {audit.map((e) => (
          <li>
            {when(e.at ?? e.createdAt)} {e.actor} {JSON.stringify(e.after ?? e)}
          </li>
        ))}
      </ul>
    </section>
  );
}
