/**
 * Words, names and messages for the synthetic archive, in Chinese and English. Organic text is
 * built from many combinable fragments so that chance duplicates stay rare; campaign messages
 * are slot templates whose alternatives give the small edits of copypasta.
 */
import { chance, pick, randInt, type Rng } from './rng.js';

export type Lang = 'zh' | 'en';

const EN_OPENERS = ['Just', 'Honestly', "Can't believe", 'So', 'Today', 'Finally', 'Anyone else think', 'Wow,', 'Ugh,', 'Lol', 'Not gonna lie,', 'Reminder:', 'Morning!', 'Hot take:', 'Still think', 'Ok so'];
const EN_SUBJECTS = ['the new cafe downtown', 'my commute', 'this weather', 'the match last night', 'the MTR', 'my cat', 'work', 'the weekend', 'this album', 'dim sum', 'the harbour view', 'the typhoon warning', 'my phone', 'the exam', 'the new series', 'our team', 'the traffic', 'coffee', 'the rent', 'my landlord', 'the night market', 'this podcast', 'the hike up Lion Rock', 'the ferry', 'that movie', 'the gym', 'my sister', 'the queue at the bank'];
const EN_PREDICATES = ['is amazing', 'was a disaster', 'made my day', 'needs to stop', 'is taking forever', 'feels different lately', 'is so underrated', 'keeps getting better', 'is way too expensive', 'never disappoints', 'could be worse', 'is all anyone talks about', 'broke my heart', 'is worth it', 'was not it', 'surprised me'];
const EN_TAILS = ['', '', '', '!', '...', ' honestly', ' again', ' today', ' 😂', ' 🙄', ' ❤️', ' tbh', ' lol', ' 🙏', ' smh'];
const EN_CLAUSES = ['and I am tired', 'but whatever', 'send help', 'who knew', 'for the third time this week', 'at 2am', 'before lunch', 'with my friends', 'no regrets', 'again and again', 'and it is only Monday', 'highly recommend'];

const ZH_OPENERS = ['今天', '刚刚', '终于', '说真的', '唉', '哈哈', '其实', '昨晚', '周末', '早上', '突然觉得', '有没有人觉得', '又是', '还是觉得'];
const ZH_SUBJECTS = ['楼下的茶餐厅', '地铁', '天气', '这场比赛', '我家的猫', '工作', '这张专辑', '点心', '维港的夜景', '台风', '新手机', '考试', '这部剧', '我们队', '塞车', '咖啡', '老板', '房租', '夜市', '这个播客', '行山', '渡轮', '那部电影', '健身房', '外卖', '银行排队'];
const ZH_PREDICATES = ['真的太好了', '简直是灾难', '让我开心了一整天', '又涨价了', '等了好久', '越来越好', '被低估了', '也太贵了吧', '从来没让我失望', '大家都在讨论', '还可以', '让人无语', '好累', '值得一试', '有点失望', '出乎意料'];
const ZH_TAILS = ['', '', '。', '！', '～', '😂', '🙄', '❤️', '啊', '吧', '呢', '…'];
const ZH_CLAUSES = ['累死了', '不管了', '谁懂啊', '这周第三次了', '凌晨两点', '午饭前', '跟朋友一起', '不后悔', '一次又一次', '才星期一', '强烈推荐'];

/** An ordinary post: opener, subject, predicate, sometimes a clause, a tail. */
export function organicText(rng: Rng, lang: Lang): string {
  if (lang === 'zh') {
    const clause = chance(rng, 0.4) ? `，${pick(rng, ZH_CLAUSES)}` : '';
    return `${pick(rng, ZH_OPENERS)}${pick(rng, ZH_SUBJECTS)}${pick(rng, ZH_PREDICATES)}${clause}${pick(rng, ZH_TAILS)}`;
  }
  const clause = chance(rng, 0.4) ? `, ${pick(rng, EN_CLAUSES)}` : '';
  return `${pick(rng, EN_OPENERS)} ${pick(rng, EN_SUBJECTS)} ${pick(rng, EN_PREDICATES)}${clause}${pick(rng, EN_TAILS)}`;
}

const EN_NEWS_SUBJECTS = ['Government', 'Police', 'Lawmakers', 'Officials', 'Residents', 'Students', 'Scientists', 'Investors', 'Health authorities', 'The city council', 'Airport staff', 'Weather observatory'];
const EN_NEWS_VERBS = ['announce', 'warn of', 'debate', 'reject', 'welcome', 'question', 'call for', 'prepare for', 'report', 'protest against'];
const EN_NEWS_OBJECTS = ['new housing plan', 'rising rents', 'extradition bill', 'typhoon signal No. 8', 'transport fare increase', 'budget shortfall', 'record heat', 'flight delays', 'trade talks', 'school reform', 'water shortage', 'election date'];
const ZH_NEWS_SUBJECTS = ['政府', '警方', '议员', '官员', '居民', '学生', '科学家', '投资者', '卫生部门', '区议会', '机场员工', '天文台'];
const ZH_NEWS_VERBS = ['宣布', '警告', '讨论', '否决', '欢迎', '质疑', '呼吁', '准备应对', '公布', '抗议'];
const ZH_NEWS_OBJECTS = ['新房屋计划', '租金上涨', '修例', '八号风球', '车费加价', '预算赤字', '破纪录高温', '航班延误', '贸易谈判', '教育改革', '水资源短缺', '选举日期'];

/** Languages of the old lives of repurposed accounts. */
export type OldLang = 'en' | 'ru' | 'es' | 'pt';

const OLD_TEXTS: Readonly<Record<OldLang, readonly string[]>> = {
  en: ['Good morning everyone!', 'Cannot wait for the weekend', 'New profile pic', 'Anyone watching the game?', 'Happy birthday to my best friend', 'So bored right now'],
  ru: ['Всем доброе утро!', 'Скорее бы выходные', 'Новая аватарка', 'Кто смотрит матч?', 'С днём рождения, подруга!', 'Как же скучно'],
  es: ['¡Buenos días a todos!', 'Ya quiero que sea fin de semana', 'Nueva foto de perfil', '¿Alguien viendo el partido?', 'Feliz cumpleaños amiga', 'Qué aburrido'],
  pt: ['Bom dia a todos!', 'Não vejo a hora do fim de semana', 'Foto nova', 'Alguém vendo o jogo?', 'Feliz aniversário amiga', 'Que tédio'],
};

/** A tweet from a repurposed account's earlier life, in its old language. */
export function oldAccountText(rng: Rng, lang: OldLang): string {
  return pick(rng, OLD_TEXTS[lang]);
}

/** A news headline (articles of outlets, shared by feeds and by ordinary users). */
export function headline(rng: Rng, lang: Lang): string {
  if (lang === 'zh') return `${pick(rng, ZH_NEWS_SUBJECTS)}${pick(rng, ZH_NEWS_VERBS)}${pick(rng, ZH_NEWS_OBJECTS)}`;
  return `${pick(rng, EN_NEWS_SUBJECTS)} ${pick(rng, EN_NEWS_VERBS)} ${pick(rng, EN_NEWS_OBJECTS)}`;
}

const EVENT_TEXT: Readonly<Record<string, Readonly<Record<Lang, readonly string[]>>>> = {
  match: {
    en: ['GOAL!!!', 'What a save', 'Come on!!', 'Referee is blind', 'What a match', 'Unbelievable finish', 'Half time, still level', 'That was a penalty', 'Get in!!'],
    zh: ['入波！！！', '好波', '加油！！', '球证睇唔到咩', '好精彩', '难以置信', '半场打和', '呢个系十二码', '赢咗！'],
  },
  storm: {
    en: ['Signal 8 now', 'The wind is insane', 'Stay safe everyone', 'Trees down on our street', 'Power just went out', 'Windows shaking', 'No work tomorrow?'],
    zh: ['八号风球了', '风好大', '大家注意安全', '楼下塌了棵树', '停电了', '窗户在晃', '明天不用上班？'],
  },
  concert: {
    en: ['Best night ever', 'That encore!!', 'Crying rn', 'Front row!!', 'Such a voice', 'Lights are amazing'],
    zh: ['最好的一晚', '安可！！', '哭了', '第一排！！', '现场太好听了', '灯光好美'],
  },
  ceremony: {
    en: ['Well deserved!', 'Robbed!', 'What a speech', 'That dress though', 'So happy for them'],
    zh: ['实至名归！', '不服！', '感人的致辞', '那条裙子好美', '为他们高兴'],
  },
};

/** A reaction during a live event (a match, a storm, a concert, a ceremony). */
export function eventText(rng: Rng, kind: string, lang: Lang): string {
  const texts = EVENT_TEXT[kind] ?? EVENT_TEXT['match'];
  return texts === undefined ? '' : pick(rng, texts[lang]);
}

/** Words an ordinary user puts before a shared link. */
export function linkComment(rng: Rng, lang: Lang): string {
  return lang === 'zh'
    ? pick(rng, ['看看这个', '值得一读', '大家怎么看？', '唉', '终于有人说了', '转发', '新闻：', ''])
    : pick(rng, ['Worth a read', 'Thoughts?', 'Wow', 'This.', 'Finally someone said it', 'Read this', 'News:', '']);
}

/** A short reply to someone else's post. */
export function replyText(rng: Rng, lang: Lang): string {
  return lang === 'zh'
    ? pick(rng, ['同意', '哈哈哈', '真的吗？', '说得好', '不敢相信', '支持你', '太好了', '我也是', '？？', '好看'])
    : pick(rng, ['Agreed', 'haha', 'Really?', 'Well said', 'Unbelievable', 'Love this', 'Same here', 'No way', 'So true', 'Thank you!']);
}

/** A slot template: each slot lists alternatives, the first being the campaign's usual wording. */
export type Template = readonly (readonly string[])[];

export const CAMPAIGN_TEMPLATES: Readonly<Record<Lang, readonly Template[]>> = {
  zh: [
    [['支持', '力挺', '坚定支持'], ['香港警察'], ['严正执法', '依法执法'], ['，'], ['守护', '捍卫'], ['香港的繁荣稳定'], ['！', '。', '！！']],
    [['暴力'], ['不能', '永远不能'], ['解决问题'], ['，'], ['香港需要', '香港人需要'], ['和平与秩序', '秩序与安宁'], ['。', '！']],
    [['反对', '坚决反对'], ['一切'], ['暴力破坏行为', '违法暴力行为'], ['，'], ['还香港', '还我们'], ['一个安宁', '一个和平'], ['！', '。']],
    [['那些', '这些'], ['暴徒'], ['不代表', '根本不代表'], ['真正的香港人'], ['，'], ['请', '大家'], ['看清真相', '认清事实'], ['。', '！']],
    [['外国势力'], ['不要', '别再'], ['插手', '干预'], ['香港事务'], ['，'], ['香港是中国的香港', '香港属于中国'], ['！', '。']],
    [['商铺被砸', '地铁被毁'], ['，'], ['受苦的是', '最后受害的是'], ['普通市民', '我们普通人'], ['，'], ['够了', '请停手'], ['！', '。']],
    [['为', '向'], ['香港警察'], ['点赞', '致敬'], ['，'], ['你们辛苦了', '谢谢你们'], ['！', '❤️']],
    [['香港'], ['加油', '挺住'], ['，'], ['明天会更好', '一切都会好起来'], ['！', '。']],
  ],
  en: [
    [['We', 'We all'], ['support', 'stand with', 'back'], ['the Hong Kong Police'], ['.', '!'], ['Violence', 'Rioting'], ['is never the answer', 'must stop now'], ['.', '!', '!!']],
    [['Hong Kong'], ['needs', 'deserves'], ['peace and order', 'calm and order'], [','], ['not', 'not more'], ['violence and chaos', 'chaos and hate'], ['.', '!']],
    [['Foreign forces'], ['should', 'must'], ['stop interfering in', 'keep their hands off'], ['Hong Kong affairs'], ['.', '!']],
    [['These rioters'], ['do not', "don't"], ['represent', 'speak for'], ['the people of Hong Kong'], ['.', '!'], ['See the truth', 'Know the facts'], ['.', '!']],
    [['Shops smashed', 'Stations burned'], [','], ['ordinary people', 'families'], ['pay the price', 'suffer the most'], ['.', '!'], ['Enough is enough', 'Stop now'], ['.', '!']],
    [['Thank you', 'Respect'], ['to the Hong Kong Police', 'to our police officers'], ['for keeping us safe', 'for protecting the city'], ['.', '!', '❤️']],
    [['Stop', 'End'], ['the violence', 'the chaos'], ['.', '!'], ['Hong Kong', 'Our city'], ['wants', 'needs'], ['stability', 'peace'], ['.', '!']],
    [['Hong Kong'], ['is part of China', 'belongs to China'], ['.', '!'], ['Respect', 'Protect'], ['the rule of law'], ['.', '!']],
  ],
};

const EMOJI = ['👍', '🙏', '❤️', '💪', '🇨🇳', '😡', '‼️', '👏'];

/**
 * One copy of a campaign message. `edits` allows the small changes of copypasta: an alternative
 * word in one slot, other end punctuation, an emoji, an added hashtag (as separate flags).
 */
export function renderTemplate(rng: Rng, template: Template, lang: Lang, edits: boolean, extraTag: string | null): string {
  const parts: string[] = template.map((slot) => slot[0] as string);
  if (edits) {
    if (chance(rng, 0.5)) {
      const slot = Math.floor(rng() * template.length);
      const options = template[slot] as readonly string[];
      if (options.length > 1) parts[slot] = options[randInt(rng, 1, options.length - 1)] as string;
    }
    const last = template.length - 1;
    const ending = template[last] as readonly string[];
    if (chance(rng, 0.35) && ending.length > 1) parts[last] = pick(rng, ending);
  }
  let text = lang === 'zh' ? parts.join('') : joinEnglish(parts);
  if (edits && chance(rng, 0.35)) text += ` ${pick(rng, EMOJI)}`;
  if (extraTag !== null) text += ` #${extraTag}`;
  return text;
}

function joinEnglish(parts: readonly string[]): string {
  let text = '';
  for (const part of parts) {
    if (text === '' || /^[.,!?❤]/u.test(part)) text += part;
    else text += ` ${part}`;
  }
  return text;
}

const EN_FIRST = ['Richard', 'Angela', 'Vera', 'George', 'Martin', 'Rossana', 'Delicia', 'Adriane', 'Christina', 'Lena', 'Evgenia', 'Sam', 'Tina', 'Kevin', 'Lucy', 'Oscar', 'Helen', 'David', 'Grace', 'Peter', 'Emily', 'Jason', 'Sophia', 'Daniel', 'Olivia', 'Henry', 'Chloe', 'Ryan', 'Mia', 'Eric'];
const EN_LAST = ['Fisher', 'Lewis', 'Terwilliger', 'Naumova', 'Sudzhenko', 'Venus', 'Chan', 'Wong', 'Lee', 'Smith', 'Brown', 'Taylor', 'Walker', 'Young', 'King', 'Wright', 'Hill', 'Green', 'Baker', 'Carter', 'Ng', 'Leung', 'Cheung', 'Lau', 'Ho'];
const ZH_NAMES = ['前尘往事', '夜幕之光', '阿狸粑粑', '清风', '旁观的渊明', '长街暗渡', '珂珂', '唧唧歪歪', '偌虹', '花非花', '牛小牛', '小鱼儿', '明月', '追梦人', '老王', '静心', '晨曦', '海阔天空', '一叶知秋', '浮生若梦', '木子李', '南山', '故里', '星辰大海', '墨染'];
const PINYIN = ['wu', 'ming', 'li', 'shui', 'shi', 'xin', 'wen', 'jie', 'ai', 'lai', 'yi', 'xia', 'zhang', 'wang', 'chen', 'long', 'hua', 'mei', 'guo', 'feng', 'yun', 'tian', 'hai', 'bao'];
const WORDS = ['sunny', 'pixel', 'harbour', 'kowloon', 'coffee', 'noodle', 'panda', 'tiger', 'moon', 'river', 'cloud', 'music', 'film', 'retro', 'urban', 'wild', 'blue', 'night', 'lucky', 'lazy', 'tiny', 'happy'];
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** Random letters and digits (Twitter's suggested handles look like `RG4ax0bBuN19XZb`). */
export function randomAlnum(rng: Rng, length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += ALNUM[Math.floor(rng() * ALNUM.length)] as string;
  return out;
}

function digits(rng: Rng, count: number): string {
  let out = '';
  for (let i = 0; i < count; i++) out += String(Math.floor(rng() * 10));
  return out;
}

/** How a campaign names its accounts: a template every member follows. */
export type HandleStyle = 'name-digits' | 'random-15' | 'pinyin-digits' | 'name-suffix';
export const HANDLE_STYLES: readonly HandleStyle[] = ['name-digits', 'random-15', 'pinyin-digits', 'name-suffix'];

/** A handle in a campaign's template, e.g. `Richard17700647`, `RG4ax0bBuN19XZb`, `wuming11xia`. */
export function campaignHandle(rng: Rng, style: HandleStyle): string {
  switch (style) {
    case 'name-digits': return `${pick(rng, EN_FIRST)}${digits(rng, 8)}`.slice(0, 15);
    case 'random-15': return randomAlnum(rng, 15);
    case 'pinyin-digits': return `${pick(rng, PINYIN)}${pick(rng, PINYIN)}${digits(rng, 2)}${pick(rng, PINYIN)}`;
    case 'name-suffix': return `${pick(rng, EN_FIRST)}${pick(rng, EN_LAST)}${randomAlnum(rng, 3)}`.slice(0, 15);
  }
}

/** A display name: Chinese, or an English first and last name. */
export function displayName(rng: Rng, chinese: boolean): string {
  return chinese ? pick(rng, ZH_NAMES) : `${pick(rng, EN_FIRST)} ${pick(rng, EN_LAST)}`;
}

/** An ordinary user's handle, in one of several everyday shapes. */
export function organicHandle(rng: Rng): string {
  switch (randInt(rng, 0, 3)) {
    case 0: return `${pick(rng, WORDS)}_${pick(rng, WORDS)}${randInt(rng, 0, 99)}`;
    case 1: return `${pick(rng, EN_FIRST).toLowerCase()}${pick(rng, EN_LAST).toLowerCase()}`;
    case 2: return `${pick(rng, PINYIN)}${pick(rng, PINYIN)}${pick(rng, WORDS)}`;
    default: return `${pick(rng, EN_FIRST)}_${pick(rng, WORDS)}`;
  }
}

export const LOCATIONS = ['Hong Kong', '香港', 'Kowloon', 'Hong Kong SAR', 'Taipei', 'Singapore', 'London', 'New York, USA', 'Sydney', 'Toronto', 'Shenzhen', 'Macau', 'California, USA', 'Tokyo'];
export const BIOS = ['coffee first', 'photographer | traveller', 'just here for the football', 'student', 'views my own', 'foodie 🍜', 'music, films, cats', 'engineer', 'nurse', '香港人', '热爱生活', '摄影爱好者', 'teacher', ''];
export const ORGANIC_CLIENTS = ['Twitter for Android', 'Twitter for iPhone', 'Twitter Web Client', 'Twitter Web App', 'TweetDeck', 'Twitter for iPad'];
export const FEED_CLIENTS = ['WordPress.com', 'dlvr.it', 'IFTTT', 'Buffer', 'SocialFlow', 'Hootsuite Inc.', 'twitterfeed'];

/** Everyday hashtags, most popular first (drawn with Zipf weights). */
export const POPULAR_TAGS = ['HongKong', '香港', 'HK', 'news', 'China', 'football', 'music', 'food', 'travel', 'photography', 'weekend', 'Kpop', 'coffee', 'love', 'art', 'movies', 'tech', 'Asia', 'MTR', 'typhoon', 'fitness', 'books', 'cats', 'sunset', '美食', '旅行', '音乐', '摄影'];

/** A t.co link as tweet text shows it (the `urls` field holds the expanded URL). */
export function tcoLink(rng: Rng): string {
  return `https://t.co/${randomAlnum(rng, 10)}`;
}

/** Short slug for a URL path. */
export function slug(rng: Rng): string {
  return `${pick(rng, WORDS)}-${pick(rng, WORDS)}-${randInt(rng, 100, 9999)}`;
}

