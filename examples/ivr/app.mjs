// A small IVR written as an ordinary Plivo application: plain node:http and
// the official `plivo` package's XML builder. Nothing in it knows about
// Switchboard; its tests (test/) run it against one.
import http from 'node:http';
import plivo from 'plivo';

function xml(res, response) {
  res.writeHead(200, { 'content-type': 'application/xml' });
  res.end(response.toXML());
}

function readForm(req) {
  return new Promise((resolve) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => resolve(Object.fromEntries(new URLSearchParams(body))));
  });
}

/** The IVR on `port` (0: any free one); answers the listening server and its base URL. */
export async function startIvr(port = 0) {
  const server = http.createServer(async (req, res) => {
    const params = await readForm(req);
    const base = `http://${req.headers.host}`;
    const response = new plivo.Response();
    if (req.url === '/answer') {
      const menu = response.addGetDigits({ action: `${base}/menu`, method: 'POST', numDigits: 1, timeout: 10 });
      menu.addSpeak('Welcome to Acme. Press 1 for sales, press 2 for support.');
      response.addSpeak('We did not get your choice. Goodbye.');
    } else if (req.url === '/menu' && params.Digits === '1') {
      response.addSpeak('Connecting you to sales. Goodbye.');
    } else if (req.url === '/menu' && params.Digits === '2') {
      response.addSpeak('All our agents are busy. Please hold.');
      response.addWait({ length: 45 });
      response.addSpeak('Thank you for holding. Support will call you back. Goodbye.');
    } else if (req.url === '/menu') {
      response.addSpeak('That is not an option. Goodbye.');
    }
    xml(res, response);
  });
  await new Promise((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${server.address().port}`, close: () => new Promise((resolve) => (server.close(resolve), server.closeAllConnections())) };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const ivr = await startIvr(Number(process.env.PORT ?? 3000));
  console.log(`IVR listening: answer URL ${ivr.url}/answer`);
}
