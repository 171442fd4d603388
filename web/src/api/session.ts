// The signed-in session: kept in sessionStorage so a reload keeps it and closing the tab ends it.
import type { components } from './schema';

export type Role = components['schemas']['RoleDto'];
export interface Session {
  access: string;
  refresh: string;
  userId: string;
  userName: string;
  tenantName: string;
  role: Role;
}

const KEY = 'outdial.session';
let current: Session | null = load();
const listeners = new Set<() => void>();

function load(): Session | null {
  try {
    const raw = sessionStorage.getItem(KEY);
    return raw ? (JSON.parse(raw) as Session) : null;
  } catch {
    return null;
  }
}

export function getSession(): Session | null {
  return current;
}

export function setSession(s: Session | null) {
  current = s;
  if (s) sessionStorage.setItem(KEY, JSON.stringify(s));
  else sessionStorage.removeItem(KEY);
  listeners.forEach((f) => f());
}

export function onSession(f: () => void): () => void {
  listeners.add(f);
  return () => listeners.delete(f);
}

export function fromSessionOut(o: components['schemas']['SessionOut']): Session {
  return {
    access: o.access_token,
    refresh: o.refresh_token,
    userId: o.user.id,
    userName: o.user.name,
    tenantName: o.tenant.name,
    role: o.role,
  };
}

export function isSupervisor(role: Role | undefined): boolean {
  return role === 'owner' || role === 'admin' || role === 'supervisor';
}

/** Owners and admins: the roles the API lets change carriers, numbers and compliance settings. */
export function isAdmin(role: Role | undefined): boolean {
  return role === 'owner' || role === 'admin';
}
