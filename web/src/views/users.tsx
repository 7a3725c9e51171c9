/** Users and their profiles: list, create, delete. A refused save keeps the form as typed. */
import { useEffect, useState } from 'preact/hooks';
import { ApiFailure, type ApiClient } from '../api.js';
import { describeError } from '../errors.js';
import type { Profile, UserView } from '../types.js';

const list = (s: string): string[] =>
  s
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);

export function Users({ api }: { api: ApiClient }) {
  const [users, setUsers] = useState<UserView[]>([]);
  const [form, setForm] = useState({ username: '', password: '', profile: 'agent' as Profile, agentId: '', queues: '', groups: '' });
  const [message, setMessage] = useState<{ error: boolean; text: string } | undefined>();
  const reload = () => api.request<UserView[]>('GET', '/users').then(setUsers).catch((err: unknown) => setMessage({ error: true, text: describeError(err) }));
  useEffect(() => void reload(), [api]);
  const set = (k: keyof typeof form) => (e: Event) => setForm({ ...form, [k]: (e.currentTarget as HTMLInputElement).value });

  const create = async (e: Event) => {
    e.preventDefault();
    setMessage(undefined);
    const body = {
      username: form.username.trim(),
      password: form.password,
      profile: form.profile,
      ...(form.profile === 'agent' ? { agentId: form.agentId.trim() } : {}),
      ...(form.profile === 'supervisor' ? { queues: list(form.queues), groups: list(form.groups) } : {}),
    };
    try {
      await api.request('POST', '/users', body);
      setMessage({ error: false, text: `User ${body.username} created.` });
      setForm({ ...form, username: '', password: '' });
      await reload();
    } catch (err) {
      const details = err instanceof ApiFailure && err.issues.length > 0 ? `: ${err.issues.map((i) => `${i.path} ${i.message}`).join('; ')}` : '';
      setMessage({ error: true, text: `${describeError(err)}${details}` });
    }
  };

  return (
    <section class="panel" aria-labelledby="users-title">
      <h2 id="users-title">Users</h2>
      <table class="grid">
        <thead>
          <tr>
            <th scope="col">Username</th>
            <th scope="col">Profile</th>
            <th scope="col">Agent</th>
            <th scope="col">Queues</th>
            <th scope="col">Groups</th>
            <th scope="col">Action</th>
          </tr>
        </thead>
        <tbody>
          {users.map((u) => (
            <tr key={u.username}>
              <th scope="row">{u.username}</th>
              <td>{u.profile}</td>
              <td>{u.agentId ?? '—'}</td>
              <td>{u.queues.join(', ') || '—'}</td>
              <td>{u.groups.join(', ') || '—'}</td>
              <td>
                <button type="button" aria-label={`Delete user ${u.username}`} onClick={() => void api.request('DELETE', `/users/${encodeURIComponent(u.username)}`).then(reload, (err: unknown) => setMessage({ error: true, text: describeError(err) }))}>
                  Delete
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <form class="form-grid" onSubmit={create} aria-label="New user">
        <label for="u-name">Username</label>
        <input id="u-name" required value={form.username} onInput={set('username')} />
        <label for="u-pass">Password (8 characters or more)</label>
        <input id="u-pass" type="password" autocomplete="new-password" required minLength={8} value={form.password} onInput={set('password')} />
        <label for="u-profile">Profile</label>
        <select id="u-profile" value={form.profile} onChange={set('profile')}>
          <option value="agent">agent</option>
          <option value="supervisor">supervisor</option>
          <option value="admin">admin</option>
        </select>
        {form.profile === 'agent' && (
          <>
            <label for="u-agent">Agent id</label>
            <input id="u-agent" required value={form.agentId} onInput={set('agentId')} />
          </>
        )}
        {form.profile === 'supervisor' && (
          <>
            <label for="u-queues">Queues (comma-separated ids)</label>
            <input id="u-queues" value={form.queues} onInput={set('queues')} />
            <label for="u-groups">Groups (comma-separated ids)</label>
            <input id="u-groups" value={form.groups} onInput={set('groups')} />
          </>
        )}
        <button type="submit">Create user</button>
      </form>
      {message && (
        <p class={message.error ? 'error' : 'info'} role={message.error ? 'alert' : 'status'}>
          {message.text}
        </p>
      )}
    </section>
  );
}
