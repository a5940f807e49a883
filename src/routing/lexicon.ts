/**
 * Cue words that generalise beyond the training sentences, in the languages hob is trained
 * on (English, German, Spanish, French, Italian, Portuguese, Dutch, a little Polish, Russian,
 * Chinese and Japanese). They are matched against the lower-cased text with accents
 * stripped, so they are written without accents. The model learns how much each group
 * matters; these only name the groups.
 */
export const LEXICON: Readonly<Record<string, RegExp>> = {
  /** Facts that change: the web is needed. */
  "lex:now":
    /\b(today|tonight|tomorrow|yesterday|now|current(ly)?|latest|this (week|weekend|year|season|morning|month)|right now|next (week|month|launch|game)|live|schedule|forecast|news|headlines?|heute|morgen|aktuell\w*|gerade|diese woche|nachrichten|neueste\w*|hoy|manana|ahora|actual(es|mente)?|esta semana|noticias|ultim[oa]s?|aujourd'?hui|demain|maintenant|actuel\w*|cette semaine|actualites|dernier(e|s)?|oggi|domani|adesso|attual\w*|notizie|hoje|amanha|agora|atual\w*|vandaag|actueel|nieuws|dzis|jutro|teraz|aktualn\w*)\b|今日|明日|最新|今天|明天|现在|現在|新闻|ニュース|сегодня|завтра|сейчас|новост/,
  /** Looking things up: prices, places, reviews, sources, search verbs. */
  "lex:web":
    /\b(prices?|pricing|costs?|near me|nearby|open(ing)? (hours|times)|reviews?|rated|stock|score|weather|exchange rate|release date|search (the web|online|for)|look (it )?up|lookup|google\w*|browse|find out|sources?|citations?|citing|studies|evidence|websites?|web ?page|online|url|preis(e)?|kosten|wetter|in der nahe|offnungszeiten|bewertung\w*|recherchier\w*|nachschlagen|quellen|suche\w*|precios?|cuesta|cerca de mi|horarios?|resenas|busca\w*|investiga\w*|fuentes|prix|combien coute|meteo|pres de chez moi|avis|cherche\w*|recherche\w*|prezz[oi]|orari|cerca|preco|pesquis\w*|prijs|weer|zoek\w*|cena|pogoda|szukaj|znajdz)\b|https?:\/\/|www\.|価格|天気|値段|检索|价格|天气|搜索|検索|цен[аы]|погод|найди|поиск/,
  /** Programming words, in any language (most are English everywhere). */
  "lex:code":
    /\b(function|funktion|funcion|fonction|funzione|funcao|script|skript|regex|sql|query|abfrage|consulta|requete|bash|shell|python|javascript|typescript|node|npm|git|api|bug|debug\w*|depura\w*|compile\w*|code|codigo|class|klasse|refactor\w*|unit ?tests?|pytest|jest|dockerfile|docker|kubernetes|k8s|terraform|graphql|cli|endpoint|algorithm\w*|algoritm\w*|big-o|variable|syntax|exception|traceback|stack ?trace|typeerror|segfault|nullpointer\w*|rust|golang|react|vue|angular|html|css|json|yaml|vim|cron|async|implement\w*|deploy\w*|pandas|numpy|websockets?|fastapi|django|flask|rails|spring|kotlin|swift|flutter|csharp|elixir|haskell|webpack|vite|github actions|postgres\w*|mysql|sqlite|redis|mongo\w*|compiler|lint\w*|programm\w*|programa\w*)\b|c\+\+|c#|関数|コード|代码|函数|程序|функци|скрипт|код/,
  /** Files and folders in the workspace. */
  "lex:files":
    /\b(files?|folders?|director(y|ies)|workspace|my notes|notes folder|documents folder|downloads|readme|rename|move|delete|archive|subfolders?|datei(en)?|ordner|verzeichnis\w*|dokumente|umbenenn\w*|verschieb\w*|losch\w*|archivos?|carpetas?|directorio|documentos|descargas|renombr\w*|mueve|mover|borra\w*|elimin\w*|fichiers?|dossiers?|repertoire|telechargements|renomm\w*|deplac\w*|supprim\w*|cartell[ae]|documenti|rinomin\w*|spost\w*|arquivos?|pastas?|bestand(en)?|mappen?|hernoem\w*|verplaats\w*|plik(i|ow)?|katalog\w*)\b|\.(md|txt|csv|pdf|log|docx?|xlsx?)\b|ファイル|フォルダ|文件|файл|папк/,
  /** The user's own things. */
  "lex:mine":
    /\b(my|mine|i saved|i wrote|i created|mein(e|en|er|em)?|unser\w*|mis?|mes|mon|ma|mio|mia|miei|meu|minha|mijn|onze|moj\w*)\b|私の|我的|мо[йяеи]/,
  /** The user's own code: a project, repo or named source file (acting on it is complex). */
  "lex:project":
    /\b(my|our|the|this|mein\w*|unser\w*|mi|nuestro|mon|notre|il mio|o meu|mijn)\s+(app|application|project|projekt|proyecto|projet|progetto|projeto|repo|repository|codebase|code ?base|service|module|backend|frontend|library|package|pipeline|ci|tests?|test suite|server|bot|website|site)\b|\b(src|lib|app|tests?)\/[\w./-]+|\b[\w-]+\.(ts|tsx|js|jsx|mjs|py|go|rs|java|rb|php|cs|cpp|cc|c|h|swift|kt|scala|ex|vue|svelte)\b/,
};
