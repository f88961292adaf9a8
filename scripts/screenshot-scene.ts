/**
 * The class conversation `npm run screenshots` photographs (issue #14): a few students and their instructor
 * talking over the line protocol, as the terminal client would, while Maya (who signs in from the browser
 * afterwards) is away, so she comes back to unread counts, a mention and a "New since you were away" divider.
 */
import { TestClient } from '../test/helpers/client.js';
import { uploadFile } from '../test/helpers/files.js';

/** The browser user: her name and password (she registered it with a password from a terminal). */
export const BROWSER_USER = { name: 'Maya', password: 'maya-likes-graphs' };
/** The instructor's account, made with `classchat admin add-user Prof --admin` before the server starts. */
export const INSTRUCTOR = { name: 'Prof', password: 'office-hours-thursday' };

/** A lecture diagram as SVG, turned into the PNG a student uploads (the browser renders it). */
export const DIAGRAM_SVG = `<svg xmlns="http://www.w3.org/2000/svg" width="480" height="200" viewBox="0 0 480 200"
  font-family="DejaVu Sans, sans-serif">
  <rect width="480" height="200" fill="#fbfaf5"/>
  <text x="20" y="34" font-size="18" font-weight="bold" fill="#333">Reversing a linked list in place</text>
  <g font-size="16" fill="#222">
    ${[0, 1, 2, 3]
      .map(
        (i) =>
          `<rect x="${20 + i * 115}" y="80" width="70" height="44" rx="6" fill="#dbe7ff" stroke="#3b6fd8"/>
    <text x="${55 + i * 115}" y="108" text-anchor="middle">${[3, 7, 12, 20][i]}</text>` +
          (i < 3
            ? `<path d="M${90 + i * 115} 102 H${130 + i * 115}" stroke="#c2571a" stroke-width="2.5" marker-end="url(#a)"/>`
            : ''),
      )
      .join('\n')}
  </g>
  <text x="20" y="160" font-size="14" fill="#555">prev ← head ← head.next: one pass, O(1) extra space</text>
  <defs><marker id="a" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto">
    <path d="M0 0 L10 5 L0 10 z" fill="#c2571a"/></marker></defs>
</svg>`;

/** A tiny but valid PDF, for a file message that has no preview. */
const HOMEWORK_PDF = Buffer.from(
  '%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n' +
    '3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n' +
    'Homework 2: linked lists. '.repeat(1400),
);

const CODE = [
  'Yes, in place. Something like:',
  '```python',
  'def reverse(head):',
  '    prev = None',
  '    while head:',
  '        head.next, prev, head = prev, head, head.next',
  '    return prev',
  '```',
].join('\n');

/** Everyone still connected once the scene is set (they show as online); close them at the end. */
export interface Scene {
  online: TestClient[];
}

/** Plays the conversation on the server at `port`; `diagram` is the PNG Prof uploads to the room. */
export async function playScene(port: number, diagram: Buffer): Promise<Scene> {
  const prof = await TestClient.connect(port, INSTRUCTOR.name);
  await prof.ok({ status: 'login', sender: INSTRUCTOR.name, password: INSTRUCTOR.password });
  const maya = await TestClient.connect(port, BROWSER_USER.name);
  await maya.ok({ status: 'register', sender: BROWSER_USER.name, password: BROWSER_USER.password });
  const alex = await TestClient.as(port, 'Alex');
  const priya = await TestClient.as(port, 'Priya');
  const sam = await TestClient.as(port, 'Sam');
  const jordan = await TestClient.as(port, 'Jordan');
  const lee = await TestClient.as(port, 'Lee');
  const say = (who: TestClient, receiver: string, text: string) =>
    who.ok(receiver === 'everyone' ? { status: 'broadcast', text } : { status: 'group', receiver, text });
  const dm = (who: TestClient, receiver: string, text: string) => who.ok({ status: 'private', receiver, text });

  await prof.ok({ status: 'create', receiver: 'CS101', members: ['Maya', 'Alex', 'Priya', 'Sam', 'Jordan', 'Lee'] });
  await sam.ok({ status: 'create', receiver: 'Lab-3', members: ['Maya', 'Priya'] });
  await alex.ok({ status: 'create', receiver: 'study-group', members: ['Maya', 'Jordan'] });

  // What Maya saw before she closed her laptop.
  await say(prof, 'CS101', 'Good morning! Slides for today are on the course page.');
  await say(maya, 'CS101', 'Is the lab this week in room 204 or 310?');
  await say(prof, 'CS101', 'Room 310, same time as usual.');
  await say(priya, 'Lab-3', 'I pushed the test cases to our repo');
  await dm(alex, 'Maya', 'see you at the lab!');
  await dm(maya, 'Alex', 'see you there');
  await maya.ok({ status: 'exit' });
  await maya.close();

  // While she is away.
  await say(prof, 'everyone', 'Office hours move to Thursday 14:00 this week.');
  await say(prof, 'CS101', 'Reminder: Homework 2 is due Friday at 23:59. The handout is below.');
  await uploadFile(prof, 'CS101', 'homework-2.pdf', HOMEWORK_PDF);
  await say(alex, 'CS101', 'Quick question about question 3: does `reverse` have to work in place?');
  await say(prof, 'CS101', CODE);
  await uploadFile(prof, 'CS101', 'linked-list.png', diagram);
  await say(priya, 'CS101', 'Stepping through it on https://pythontutor.com helped me see the pointer swaps.');
  await say(jordan, 'CS101', 'thanks, that diagram makes it click');
  await say(sam, 'CS101', '@Maya are you presenting our lab results on Friday?');
  await say(sam, 'Lab-3', 'Maya, can you add the graphs tonight?');
  await say(priya, 'Lab-3', 'I can write the conclusion');
  await say(jordan, 'study-group', 'library at 5?');
  await dm(alex, 'Maya', 'can I borrow your notes from Tuesday?');
  await dm(alex, 'Maya', 'no rush, before Friday is fine');

  // Sam, Jordan and Lee go offline; Prof, Alex and Priya stay.
  for (const who of [sam, jordan, lee]) {
    await who.ok({ status: 'exit' });
    await who.close();
  }
  return { online: [prof, alex, priya] };
}
