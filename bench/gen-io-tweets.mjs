// Writes an Information Operations tweets CSV (official 31-column schema) of N rows with the real
// archive's quirks: minute-precision times, list fields like ['a', 'b'], 'absent' coordinates,
// hashed and numeric ids, multi-line quoted text, CJK text. Deterministic for a given seed.
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
// The project's generator, from the build (`npm ci` builds dist/).
import { mulberry32 } from '../dist/model/index.js';

export const IO_TWEET_COLUMNS = ['tweetid', 'userid', 'user_display_name', 'user_screen_name', 'user_reported_location', 'user_profile_description', 'user_profile_url', 'follower_count', 'following_count', 'account_creation_date', 'account_language', 'tweet_language', 'tweet_text', 'tweet_time', 'tweet_client_name', 'in_reply_to_userid', 'in_reply_to_tweetid', 'quoted_tweet_tweetid', 'is_retweet', 'retweet_userid', 'retweet_tweetid', 'latitude', 'longitude', 'quote_count', 'reply_count', 'like_count', 'retweet_count', 'hashtags', 'urls', 'user_mentions', 'poll_choices'];


const quote = (s) => `"${String(s).replaceAll('"', '""')}"`;
const WORDS = ['protest', 'police', 'city', 'freedom', 'order', 'violence', 'news', 'today', 'people', 'support', '香港', '暴徒', '警察', '支持', '和平'];
const TAGS = ['HongKong', 'HK', 'antiELAB', 'StandWithHK', '香港', 'news', 'Police'];

export async function generateIoTweets(path, rows, seed = 1) {
  const rand = mulberry32(seed);
  const pick = (list) => list[Math.floor(rand() * list.length)];
  const accounts = Math.max(10, Math.floor(rows / 50));
  const out = createWriteStream(path, { highWaterMark: 1 << 20 });
  out.write(IO_TWEET_COLUMNS.map(quote).join(',') + '\n');
  const start = Date.UTC(2019, 5, 1);
  let buffer = '';
  for (let i = 0; i < rows; i++) {
    const user = Math.floor(rand() * accounts);
    const userid = user % 3 === 0 ? `h${user.toString(36)}Xq9+${(user * 7919).toString(36)}=` : String(1_000_000_000 + user);
    const time = new Date(start + Math.floor(rand() * 90 * 86400) * 1000).toISOString().slice(0, 16).replace('T', ' ');
    const isRetweet = rand() < 0.4;
    const words = Array.from({ length: 6 + Math.floor(rand() * 14) }, () => pick(WORDS)).join(' ');
    const text = rand() < 0.05 ? `${words}\n${pick(WORDS)} "quoted"` : words;
    const tags = rand() < 0.5 ? `[${[pick(TAGS), pick(TAGS)].map((t) => `'${t}'`).join(', ')}]` : '';
    const urls = rand() < 0.3 ? `['https://news.example.com/a/${Math.floor(rand() * 5000)}?utm_source=tw']` : '[]';
    const row = [
      String(1_100_000_000_000_000_000n + BigInt(i)), userid, `user ${user}`, `handle${user}`, rand() < 0.5 ? 'Hong Kong' : '',
      'a profile description', '', Math.floor(rand() * 5000), Math.floor(rand() * 800), '2017-08-30', 'zh-cn', rand() < 0.5 ? 'zh' : 'en',
      text, time, pick(['Twitter for Android', 'Twitter Web Client', 'TweetDeck']), '', '', '', isRetweet ? 'true' : 'false',
      isRetweet ? String(1_000_000_000 + Math.floor(rand() * accounts)) : '', isRetweet ? String(1_000_000_000_000_000_000n + BigInt(Math.floor(rand() * 100000))) : '',
      'absent', 'absent', 0, 0, Math.floor(rand() * 10), Math.floor(rand() * 10), tags, urls, '[]', '',
    ];
    buffer += row.map(quote).join(',') + '\n';
    if (buffer.length > 1 << 20) {
      if (!out.write(buffer)) await once(out, 'drain');
      buffer = '';
    }
  }
  out.write(buffer);
  out.end();
  await once(out, 'finish');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [path, rows, seed] = process.argv.slice(2);
  await generateIoTweets(path, Number(rows), Number(seed ?? 1));
}
