/** Administration: the configuration, users, API keys and CDRs (admin profile only). */
import { useState } from 'preact/hooks';
import type { ApiClient } from '../api.js';
import { ApiKeys } from './api-keys.js';
import { CdrSearch } from './cdr-search.js';
import { ConfigEditor } from './config-editor.js';
import { Users } from './users.js';

const TABS = [
  ['config', 'Configuration'],
  ['users', 'Users'],
  ['keys', 'API keys'],
  ['cdrs', 'Calls (CDRs)'],
] as const;

export function AdminView({ api }: { api: ApiClient }) {
  const [tab, setTab] = useState<(typeof TABS)[number][0]>('config');
  return (
    <div class="admin">
      <div class="subtabs" role="tablist" aria-label="Administration">
        {TABS.map(([id, label]) => (
          <button key={id} type="button" role="tab" id={`tab-${id}`} aria-controls={`panel-${id}`} aria-selected={tab === id} class={tab === id ? 'tab active' : 'tab'} onClick={() => setTab(id)}>
            {label}
          </button>
        ))}
      </div>
      <div role="tabpanel" id={`panel-${tab}`} aria-labelledby={`tab-${tab}`}>
        {tab === 'config' && <ConfigEditor api={api} />}
        {tab === 'users' && <Users api={api} />}
        {tab === 'keys' && <ApiKeys api={api} />}
        {tab === 'cdrs' && <CdrSearch api={api} />}
      </div>
    </div>
  );
}
