// The shell: public screens without a session, the app's navigation with one.
import { useEffect, useState } from 'react';
import { api } from './api/client';
import { getSession, isSupervisor, onSession, setSession } from './api/session';
import { Link, navigate, useLocation } from './router';
import { AcceptInvitation, ForgotPassword, Login, ResetPassword, Signup } from './pages/Auth';
import { Admin, AdminNav } from './pages/Admin';
import { Analytics } from './pages/Analytics';
import { Calls } from './pages/Calls';
import { Carriers } from './pages/Carriers';
import { Compliance } from './pages/Compliance';
import { Numbers } from './pages/Numbers';
import { CampaignDetail, Campaigns, NewCampaign } from './pages/Campaigns';
import { Cockpit } from './pages/Cockpit';
import { Lists } from './pages/Lists';
import { Texts } from './pages/Texts';
import { Voicemails } from './pages/Voicemails';
import { Wallboard } from './pages/Wallboard';

function useSession() {
  const [s, set] = useState(getSession());
  useEffect(() => onSession(() => set(getSession())), []);
  return s;
}

export function App() {
  const loc = useLocation();
  const session = useSession();
  const path = loc.pathname;
  const token = loc.searchParams.get('token') ?? '';

  if (path === '/reset-password') return <ResetPassword token={token} />;
  if (path === '/accept-invitation') return <AcceptInvitation token={token} />;
  if (!session) {
    if (path === '/signup') return <Signup />;
    if (path === '/forgot-password') return <ForgotPassword />;
    return <Login />;
  }

  const sup = isSupervisor(session.role);
  const nav: [string, string][] = [
    ['/cockpit', 'Cockpit'],
    ['/texts', 'Texts'],
    ...(sup
      ? ([
          ['/campaigns', 'Campaigns'],
          ['/lists', 'Lists'],
          ['/wallboard', 'Wallboard'],
          ['/calls', 'Calls'],
          ['/analytics', 'Analytics'],
          ['/admin', 'Admin'],
        ] as [string, string][])
      : []),
  ];
  const logout = async () => {
    await api.POST('/v1/auth/logout', { body: { refresh_token: session.refresh } }).catch(() => undefined);
    setSession(null);
    navigate('/login');
  };

  let page;
  const m = path.match(/^\/campaigns\/([^/]+)$/);
  if (path === '/campaigns/new' && sup) page = <NewCampaign />;
  else if (m && sup) page = <CampaignDetail id={m[1]} />;
  else if (path === '/campaigns' && sup) page = <Campaigns />;
  else if (path === '/lists' && sup) page = <Lists />;
  else if (path === '/wallboard' && sup) page = <Wallboard />;
  else if (path === '/calls' && sup) page = <Calls />;
  else if (path === '/analytics' && sup) page = <Analytics campaignId={loc.searchParams.get('campaign') ?? ''} />;
  else if (path === '/texts') page = <Texts />;
  else if (path === '/admin' && sup) page = <Admin />;
  else if (path === '/admin/carriers' && sup) page = <Carriers />;
  else if (path === '/admin/numbers' && sup) page = <Numbers />;
  else if (path === '/admin/compliance' && sup) page = <Compliance />;
  else if (path === '/admin/voicemails' && sup) page = <Voicemails />;
  else page = <Cockpit />;
  if (sup && path.startsWith('/admin')) page = <><AdminNav path={path} />{page}</>;

  return (
    <>
      <a href="#content" className="skip">Skip to content</a>
      <nav aria-label="Main">
        <strong>Outdial</strong>
        {nav.map(([href, label]) => (
          <Link key={href} href={href} aria-current={path.startsWith(href) ? 'page' : undefined}>{label}</Link>
        ))}
        <span className="spacer" />
        <span className="muted">{session.userName} · {session.tenantName}</span>
        <button onClick={logout}>Log out</button>
      </nav>
      <div id="content">{page}</div>
    </>
  );
}
