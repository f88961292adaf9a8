// The browser client's entry (issue #14): one Session (the connection and the state), rendered by App.
import { render } from 'preact';
import './styles.css';
import { Session } from './state/session.js';
import { App } from './ui/App.js';

const session = new Session();
render(<App session={session} />, document.getElementById('app')!);
session.start();
