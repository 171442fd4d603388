// Public screens: sign up, log in, forgotten password, reset, accept an invitation.
import { useState, type FormEvent } from 'react';
import { api, call } from '../api/client';
import { fromSessionOut, setSession } from '../api/session';
import { Link, navigate } from '../router';
import { ErrorBox, Field, useAction } from '../ui';

function Card({ title, children }: { title: string; children: React.ReactNode }) {
  return (
    <main className="auth">
      <h1>{title}</h1>
      {children}
    </main>
  );
}

export function Signup() {
  const [f, setF] = useState({ agency_name: '', name: '', email: '', password: '' });
  const a = useAction();
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void a.run(async () => {
      const s = await call(api.POST('/v1/auth/signup', { body: f }));
      setSession(fromSessionOut(s));
      navigate('/lists');
    });
  };
  return (
    <Card title="Create your agency">
      <form onSubmit={submit}>
        <Field label="Agency name">
          <input required autoFocus value={f.agency_name} onChange={(e) => setF({ ...f, agency_name: e.target.value })} />
        </Field>
        <Field label="Your name">
          <input required autoComplete="name" value={f.name} onChange={(e) => setF({ ...f, name: e.target.value })} />
        </Field>
        <Field label="Email">
          <input required type="email" autoComplete="email" value={f.email} onChange={(e) => setF({ ...f, email: e.target.value })} />
        </Field>
        <Field label="Password" hint="At least 10 characters mixing two of: lower case, upper case, digits, symbols.">
          <input required type="password" autoComplete="new-password" value={f.password} onChange={(e) => setF({ ...f, password: e.target.value })} />
        </Field>
        <ErrorBox error={a.error} />
        <button type="submit" disabled={a.busy}>{a.busy ? 'Creating…' : 'Sign up'}</button>
      </form>
      <p>
        Already have an account? <Link href="/login">Log in</Link>
      </p>
    </Card>
  );
}

export function Login() {
  const [f, setF] = useState({ email: '', password: '' });
  const a = useAction();
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void a.run(async () => {
      const s = await call(api.POST('/v1/auth/login', { body: f }));
      setSession(fromSessionOut(s));
      navigate(s.role === 'agent' ? '/cockpit' : '/campaigns');
    });
  };
  return (
    <Card title="Log in to Outdial">
      <form onSubmit={submit}>
        <Field label="Email">
          <input required autoFocus type="email" autoComplete="email" value={f.email} onChange={(e) => setF({ ...f, email: e.target.value })} />
        </Field>
        <Field label="Password">
          <input required type="password" autoComplete="current-password" value={f.password} onChange={(e) => setF({ ...f, password: e.target.value })} />
        </Field>
        <ErrorBox error={a.error} />
        <button type="submit" disabled={a.busy}>{a.busy ? 'Logging in…' : 'Log in'}</button>
      </form>
      <p>
        <Link href="/forgot-password">Forgot your password?</Link> · <Link href="/signup">Create an agency</Link>
      </p>
    </Card>
  );
}

export function ForgotPassword() {
  const [email, setEmail] = useState('');
  const [sent, setSent] = useState(false);
  const a = useAction();
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void a.run(async () => {
      await call(api.POST('/v1/auth/password-reset', { body: { email } }));
      setSent(true);
    });
  };
  return (
    <Card title="Reset your password">
      {sent ? (
        <p role="status">If {email} has an account, a reset link is on its way.</p>
      ) : (
        <form onSubmit={submit}>
          <Field label="Email">
            <input required autoFocus type="email" value={email} onChange={(e) => setEmail(e.target.value)} />
          </Field>
          <ErrorBox error={a.error} />
          <button type="submit" disabled={a.busy}>Send reset link</button>
        </form>
      )}
      <p>
        <Link href="/login">Back to log in</Link>
      </p>
    </Card>
  );
}

export function ResetPassword({ token }: { token: string }) {
  const [pw, setPw] = useState('');
  const [done, setDone] = useState(false);
  const a = useAction();
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void a.run(async () => {
      await call(api.POST('/v1/auth/password-reset/confirm', { body: { token, new_password: pw } }));
      setDone(true);
    });
  };
  return (
    <Card title="Choose a new password">
      {done ? (
        <p role="status">
          Your password is changed. <Link href="/login">Log in</Link>
        </p>
      ) : (
        <form onSubmit={submit}>
          <Field label="New password">
            <input required autoFocus type="password" autoComplete="new-password" value={pw} onChange={(e) => setPw(e.target.value)} />
          </Field>
          <ErrorBox error={a.error} />
          <button type="submit" disabled={a.busy}>Set password</button>
        </form>
      )}
    </Card>
  );
}

export function AcceptInvitation({ token }: { token: string }) {
  const [f, setF] = useState({ name: '', password: '' });
  const a = useAction();
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void a.run(async () => {
      const s = await call(api.POST('/v1/invitations/accept', { body: { token, ...f } }));
      setSession(fromSessionOut(s));
      navigate('/cockpit');
    });
  };
  return (
    <Card title="Join your team on Outdial">
      <form onSubmit={submit}>
        <Field label="Your name">
          <input required autoFocus value={f.name} onChange={(e) => setF({ ...f, name: e.target.value })} />
        </Field>
        <Field label="Password">
          <input required type="password" autoComplete="new-password" value={f.password} onChange={(e) => setF({ ...f, password: e.target.value })} />
        </Field>
        <ErrorBox error={a.error} />
        <button type="submit" disabled={a.busy}>Join</button>
      </form>
    </Card>
  );
}
