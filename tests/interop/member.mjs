// A member on Element's own crypto engine: matrix-js-sdk with Rust crypto, driven by the Python
// tests. It reads one JSON command a line on stdin and answers one JSON line on stdout; its own
// chatter goes to stderr. Started with one JSON argument: who it is and how strict its crypto is.
//
//   {"baseUrl", "userId", "deviceId", "accessToken", "password", "crossSign": true, "onlySigned": true}
//
// With "onlySigned" it excludes insecure devices, as Element does in 2026 (MSC4153): it shares
// room keys only with cross-signed devices and shows nothing sent from any other.
import "fake-indexeddb/auto";
import readline from "node:readline";
import * as sdk from "matrix-js-sdk";
import { OnlySignedDevicesIsolationMode } from "matrix-js-sdk/lib/crypto-api/index.js";
import { logger } from "matrix-js-sdk/lib/logger.js";

logger.setLevel("warn");
for (const level of ["log", "info", "debug", "trace"]) console[level] = (...args) => console.error(...args);
// stdout carries answers only, as lines of JSON

const who = JSON.parse(process.argv[2]);
const client = sdk.createClient({
    baseUrl: who.baseUrl, userId: who.userId, deviceId: who.deviceId, accessToken: who.accessToken,
});
await client.initRustCrypto({ useIndexedDB: false });
const crypto = client.getCrypto();
if (who.crossSign) {
    await crypto.bootstrapCrossSigning({
        authUploadDeviceSigningKeys: async (makeRequest) => {
            await makeRequest({
                type: "m.login.password", identifier: { type: "m.id.user", user: who.userId }, password: who.password,
            });
        },
    });
}
if (who.onlySigned) crypto.setDeviceIsolationMode(new OnlySignedDevicesIsolationMode());

const seen = [];
client.on(sdk.RoomEvent.Timeline, (event, room) => seen.push({ room: room?.roomId, event }));
const withheld = [];  // the m.room_key.withheld messages this session was sent
client.on(sdk.ClientEvent.ToDeviceEvent, (event) => {
    if (event.getType() === "m.room_key.withheld") withheld.push({ sender: event.getSender(), ...event.getContent() });
});
client.on(sdk.RoomEvent.MyMembership, async (room, membership) => {
    if (membership === "invite") await client.joinRoom(room.roomId);
});
const prepared = new Promise((resolve) => client.once(sdk.ClientEvent.Sync, resolve));
await client.startClient({ initialSyncLimit: 20 });
await prepared;

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(check, timeout = 20000) {
    const deadline = Date.now() + timeout;
    for (;;) {
        const found = await check();
        if (found) return found;
        if (Date.now() > deadline) throw new Error("timed out");
        await sleep(100);
    }
}

async function described(event) {
    await client.decryptEventIfNeeded(event);
    const info = event.isEncrypted() ? await crypto.getEncryptionInfoForEvent(event) : null;
    return {
        event_id: event.getId(), sender: event.getSender(), type: event.getType(),
        body: event.getContent()?.body ?? null, decrypted: !event.isDecryptionFailure(),
        session_id: event.getWireContent()?.session_id ?? null, mentions: event.getContent()?.["m.mentions"] ?? null,
        failure: event.decryptionFailureReason ?? null,
        shield: info ? info.shieldColour : null, reason: info ? info.shieldReason : null,
    };
}

const commands = {
    async send({ room, body, reply_to, extra }) {
        await until(() => client.getRoom(room)?.getMyMembership() === "join");
        const content = { msgtype: "m.text", body, ...(extra ?? {}) };
        if (reply_to) content["m.relates_to"] = { "m.in_reply_to": { event_id: reply_to } };
        return await client.sendMessage(room, content);
    },
    async react({ room, event, key }) {
        return await client.sendEvent(room, "m.reaction", {
            "m.relates_to": { rel_type: "m.annotation", event_id: event, key },
        });
    },
    async join({ room }) {
        await client.joinRoom(room);
        return { room_id: room };
    },
    async open_direct_chat({ user }) {
        // As Element's "Start chat" does it.
        const { room_id } = await client.createRoom({
            is_direct: true, preset: "trusted_private_chat", invite: [user],
            initial_state: [{ type: "m.room.encryption", state_key: "", content: { algorithm: "m.megolm.v1.aes-sha2" } }],
        });
        await until(() => client.getRoom(room_id)?.getMember(user)?.membership === "join", 30000);
        return { room_id };
    },
    async wait_reply({ room, to, sender, wait_ms }) {
        // The notice that answers `to`; decrypted if this member's crypto lets it.
        const found = await until(async () => {
            for (const { room: where, event } of seen) {
                if (where !== room || event.getSender() !== sender) continue;
                await client.decryptEventIfNeeded(event);
                const relation = event.getWireContent()?.["m.relates_to"] ?? event.getContent()?.["m.relates_to"];
                if (relation?.["m.in_reply_to"]?.event_id === to) return event;
            }
            return null;
        }, wait_ms ?? 20000);
        return await described(found);
    },
    async wait_text({ room, sender, text, wait_ms }) {
        // The first message from `sender` in `room` that this session can read and that says `text`.
        const found = await until(async () => {
            for (const { room: where, event } of seen) {
                if (where !== room || event.getSender() !== sender) continue;
                await client.decryptEventIfNeeded(event);
                if (event.getContent()?.body?.includes(text)) return event;
            }
            return null;
        }, wait_ms ?? 20000);
        return await described(found);
    },
    async event({ room, event_id }) {
        // One event by its ID, once this member has it, decrypted if its crypto lets it.
        const found = await until(() => seen.find(({ room: where, event }) => where === room
            && event.getId() === event_id)?.event);
        return await described(found);
    },
    async wait_undecryptable({ room, event_id, failure, wait_ms }) {
        // One event this session cannot read, once its crypto gives `failure` as the reason
        // (asking it again as keys or withheld notices arrive); as it stands if it never does.
        let found = null;
        try {
            await until(async () => {
                found = seen.find(({ room: where, event }) => where === room && event.getId() === event_id)?.event;
                if (!found) return false;
                if (found.isDecryptionFailure()) await found.attemptDecryption(client.getCrypto(), { isRetry: true });
                return found.decryptionFailureReason === failure;
            }, wait_ms ?? 20000);
        } catch (error) {
            if (!found) throw error;
        }
        return await described(found);
    },
    async withheld({ room }) {
        return { withheld: withheld.filter((content) => content.room_id === room) };
    },
    async events({ room, sender }) {
        const mine = seen.filter(({ room: where, event }) => where === room && event.getSender() === sender);
        return { events: await Promise.all(mine.map(({ event }) => described(event))) };
    },
    async own_trust() {
        const status = await crypto.getDeviceVerificationStatus(who.userId, who.deviceId);
        return { cross_signed: Boolean(status?.signedByOwner) };
    },
    async device_trust({ user, device }) {
        await crypto.getUserDeviceInfo([user], true);
        const status = await crypto.getDeviceVerificationStatus(user, device);
        return { signed_by_owner: Boolean(status?.signedByOwner) };
    },
    async stop() {
        client.stopClient();
        setTimeout(() => process.exit(0), 50);
        return {};
    },
};

process.stdout.write(JSON.stringify({ ready: true }) + "\n");
for await (const line of readline.createInterface({ input: process.stdin })) {
    const command = JSON.parse(line);
    try {
        const result = await commands[command.op](command);
        process.stdout.write(JSON.stringify({ ok: true, ...result }) + "\n");
    } catch (error) {
        process.stdout.write(JSON.stringify({ ok: false, error: String(error?.message ?? error) }) + "\n");
    }
}
