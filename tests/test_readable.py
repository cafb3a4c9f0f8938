"""The detector only judges English prose: other languages, code, link lists and pastes are named."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.detector.readable import CODE, LINKS, NOT_ENGLISH, PASTE, unreadable

CORPUS = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus" / "messages.jsonl"

SHORT_REPLIES = [
    "LGTM", "lgtm!", "+1", "-1", "ship it", "👍", "✅", ":white_check_mark:", ":+1: :shipit:", "ok", "okay",
    "merged", "-1 until docs", "/approve", "/lgtm /approve", "bors r+", "@bors r+", "r=me", "r? @dana",
    "PTAL", "rebased, CI green", "nit: typo", "ack", "+2", "sgtm, go ahead", "Approved.", "no", "yes",
    "nope", "go for it", "thanks!", "done", "will do", "on it", "+1 (binding)", "+1 non-binding", "+0",
    "Merci!", "Danke", "ok :tada:", "<@U024BE7LH> lgtm", "ack 3f9c2b1e8d7a6f5e4c3b2a1908f7e6d5c4b3a291",
    "v2.4.1 it is", "Postgres 16 then", "k8s 1.31 upgrade: approved", "Q3 OKRs signed off", "👍👍",
]

ENGLISH = [
    "We decided to move the launch to Thursday so support has a full day to prepare.",
    "Going with Postgres for the new ledger service; Mongo is out.",
    "Final call: no release this week, we ship 4.2 on Monday after the freeze lifts.",
    "can you approve the budget for the offsite? need it by friday",
    "Legal signed off on the new terms, so the pricing page goes live tomorrow.",
    "Approved — go ahead and order the laptops, the finance team has the PO.",
    "ok to merge? the flaky test is quarantined and the docs are updated",
    "Let's go with option B then, Kai will write up the ADR.",
    "*Decision:* Ana owns the migration, target date is the 14th.",
    "<@U04HRJO> we're dropping IE11 support in the next major, see <https://example.com/adr/12|ADR-12>",
    "Per the call with Brightwater, we keep the legacy export until Q2 because their clinics depend on it.",
    "Merged https://github.com/example/repo/pull/1234 — thanks all!",
    "José and Zoë from the São Paulo office agreed to run the pilot with Müller GmbH next week.",
    "We'll rename the service Mir (мир) internally, the public name stays Atlas.",
    "Sign-off needed from Dana and Li Wei before we switch the CDN to the new vendor on 3/14.",
    "Terraform, Helm and ArgoCD versions are pinned now; upgrades go through the platform team.",
    "<p>We agreed to freeze the schema until the audit is done.</p><p>Thanks <at>Sam Lee</at>!</p>",
    "Resolved: the retry limit goes from `3` to `5` and the backoff is now `exponential`.",
    "Going with `max_connections = 200` for prod, staging stays at the default.",
    "> we should drop the v1 API\nAgreed, we're removing it in 3.0 and announcing it in the changelog.",
    "De la Cruz and Van der Berg approved the hiring plan for the Lisbon team.",
    "Decision: we keep the tab layout, the gallery layout tested worse with returning users in the study",
    "Going with `retry_policy = exponential_backoff(max_attempts=5, base_delay=2, jitter=True)` for prod.",
    "We're setting timeout=30 retries=3 backoff=2 for prod, decided in standup.",
    "Freeze exception approved for the billing fix only; nothing else lands before the branch cut;",
    "Shipping en, de, fr and es locales first; en-US and pt-BR copy is signed off.",
    "ValueError: fixed by the patch in #123, merging once CI is green",
    "[3.1] Decision: we go with vendor B.  Budget is approved.  Ana owns the contract.",
    "2024-05-01 standup: we agreed to cut the release branch on Friday",
    "Agenda:\n1. Budget\n2. Hiring\n3. Launch date\nDecided: launch moves to May 3.",
    "Cost went from $1,200 to $1,450 (+20%) — approved anyway.",
    "A -> B -> C, we picked C; v2 => v3 migration is approved",
    "- [x] security review\n- [x] load test\n- [ ] docs\nMerging once the docs box is ticked.",
]

FOREIGN = [
    "Wir haben entschieden, das Release auf nächsten Montag zu verschieben, weil die Tests noch nicht grün sind.",
    "Passt für mich, ich habe den PR freigegeben und wir mergen morgen.",
    "Nous avons décidé de reporter la mise en production à lundi prochain.",
    "C'est validé pour moi, on peut merger la PR cet après-midi.",
    "Hemos decidido lanzar la nueva versión el viernes, después de la revisión de seguridad.",
    "Aprobado, pueden seguir adelante con el despliegue.",
    "Decidimos adiar o lançamento para a próxima semana porque o cliente ainda não aprovou.",
    "Está aprovado, pode fazer o merge quando quiser.",
    "We hebben besloten om de release naar volgende week te verplaatsen.",
    "Akkoord, ik heb het goedgekeurd en het kan vandaag live.",
    "Abbiamo deciso di rimandare il rilascio alla prossima settimana.",
    "Per me va bene, approvato: possiamo fare il merge domani.",
    "Мы решили перенести релиз на следующую неделю.",
    "Одобрено, можно мержить.",
    "我们决定下周再发布新版本。",
    "好的，我同意合并这个PR。",
    "来週リリースすることに決めました。",
    "このPRをマージしても大丈夫です。",
    "قررنا تأجيل الإطلاق إلى الأسبوع المقبل.",
    "हमने अगले हफ्ते रिलीज़ करने का फैसला किया है।",
    "Danke schön, das ist gut so",
    "Merci beaucoup, c'est parfait",
]

CODE_MESSAGES = [
    "here's the fix:\n```python\ndef retry(fn, attempts=3):\n    for i in range(attempts):\n        try:\n"
    "            return fn()\n        except TimeoutError:\n            time.sleep(2 ** i)\n```",
    "```\nconst client = new Client({ retries: 5 });\nawait client.connect();\nexport default client;\n```",
    "try this\n```bash\nkubectl rollout restart deployment/api -n prod\nkubectl get pods -n prod -w\n```",
    "def main():\n    args = parse()\n    if args.verbose:\n        log.setLevel(DEBUG)\n    run(args)",
    "<pre>SELECT id, email FROM users WHERE created_at &gt; now() - interval '7 days';</pre>",
    "public static void main(String[] args) {\n    System.out.println(\"hi\");\n}",
    "import os\nimport sys\n\nfor name in os.listdir('.'):\n    if name.endswith('.py'):\n        print(name)",
    "diff --git a/app.py b/app.py\n--- a/app.py\n+++ b/app.py\n@@ -1,3 +1,4 @@\n import os\n+import sys\n"
    " def main():\n-    pass\n+    run()",
    "$ make test\n$ git push origin main\n$ npm run build",
]

LINK_MESSAGES = [
    "https://example.com/docs/a\nhttps://example.com/docs/b\nhttps://example.com/docs/c",
    "links: https://example.com/one https://example.org/two https://example.net/three",
    "<https://example.com/a/very/long/path/one> <https://example.com/a/very/long/path/two>",
    "https://docs.example.com/runbooks/database-failover-procedure",
    "- [Runbook](https://wiki.example.com/runbook)\n- [Dashboard](https://grafana.example.com/d/abc)\n"
    "- [Alerts](https://alerts.example.com/rules)",
]

PASTES = [
    'Traceback (most recent call last):\n  File "app.py", line 12, in <module>\n    main()\n'
    '  File "app.py", line 8, in main\n    raise ValueError("bad config")\nValueError: bad config',
    "2024-05-01 12:00:01 INFO  server started on :8080\n2024-05-01 12:00:03 WARN  cache miss ratio 0.82\n"
    "2024-05-01 12:00:09 ERROR upstream timed out after 30s",
    '{"id": 42, "status": "failed", "retries": 3, "tags": ["a", "b"], "owner": null}',
    '```\n{\n  "name": "billing",\n  "replicas": 3,\n  "image": "registry/billing:1.4.2"\n}\n```',
    "java.lang.NullPointerException: null\n\tat com.example.Foo.bar(Foo.java:42)\n"
    "\tat com.example.Main.main(Main.java:10)",
    "host=db-1 port=5432 user=app sslmode=require connect_timeout=10 application_name=api",
    "id,name,email,plan\n1,Ana,ana@example.com,pro\n2,Ben,ben@example.com,free\n3,Cy,cy@example.com,pro",
    "sha256: 9f2b7c4e1a0d3b6f8e5c2a7d4b1e0f3c6a9d2b5e8f1c4a7d0b3e6f9c2a5d8b1e4f7a0c3d6b9e2f5a8c1d4b7e0a3f6",
    "TypeError: Cannot read properties of undefined (reading 'id')\n    at getUser (/app/src/users.js:42:17)\n"
    "    at process (node:internal/process/task_queues:95:5)",
    "panic: runtime error: index out of range [3] with length 3\n\ngoroutine 1 [running]:\nmain.main()\n"
    "\t/tmp/main.go:8 +0x1d",
    "NAME                     READY   STATUS             RESTARTS   AGE\n"
    "api-7d9f8b6c5-x2x9z      0/1     CrashLoopBackOff   12         40m\n"
    "worker-5c6d7e8f9-abcde   1/1     Running            0          2d",
    "May  1 12:00:01 web-1 nginx[812]: upstream timed out\nMay  1 12:00:02 web-1 nginx[812]: upstream timed out",
    "date\tusers\trevenue\n2024-05-01\t120\t3400\n2024-05-02\t131\t3550",
    "<p>output:</p><pre>Traceback (most recent call last):\n  File \"x.py\", line 1, in &lt;module&gt;\n"
    "ZeroDivisionError: division by zero</pre>",
]


@pytest.mark.parametrize("text", SHORT_REPLIES)
def test_short_chat_replies_are_judged(text):
    """Bare approvals, votes, bot commands, emoji, jargon and a lone foreign "thanks" are judged."""
    assert unreadable(text) is None


@pytest.mark.parametrize("text", ENGLISH)
def test_english_decisions_and_requests_are_judged(text):
    """English decisions and requests, with names, numbers, markup and snippets, are judged."""
    assert unreadable(text) is None


@pytest.mark.parametrize("text", FOREIGN)
def test_other_languages_are_not_english(text):
    """Decisions and approvals in eleven other languages, in Latin script or not, are not English."""
    assert unreadable(text) == NOT_ENGLISH


@pytest.mark.parametrize("text", CODE_MESSAGES)
def test_code_with_a_short_caption_is_mostly_code(text):
    """A code block, fenced or not, with at most a short caption is mostly code."""
    assert unreadable(text) == CODE


@pytest.mark.parametrize("text", LINK_MESSAGES)
def test_lists_of_links_are_mostly_links(text):
    """A list of URLs with at most a word of caption is mostly links."""
    assert unreadable(text) == LINKS


@pytest.mark.parametrize("text", PASTES)
def test_logs_traces_and_data_dumps_are_pastes(text):
    """Stack traces, log lines, JSON, key=value runs, CSV and hex blobs are a paste."""
    assert unreadable(text) == PASTE


def test_a_decision_around_a_snippet_is_judged():
    """A decision stated in a real paragraph is judged even when a code block follows it."""
    text = (
        "We decided to roll back the connection pool change and keep the old limits until the load test "
        "next week shows the new ones hold up under peak traffic. The revert is below:\n"
        "```\npool:\n  max: 50\n  idle_timeout: 30s\n```"
    )
    assert unreadable(text) is None


def test_quoted_lines_are_not_the_writers_words():
    """Only the writer's own lines are read: a quote in another language does not make a reply foreign."""
    assert unreadable("> Wir haben entschieden, das Release zu verschieben.\nOk, we'll move it to Monday then.") is None
    assert unreadable("&gt; we should ship on Friday\nNein, wir warten bis die Tests grün sind.") == NOT_ENGLISH
    assert unreadable("> ```\n> def f(): pass\n> ```\nlgtm, merging") is None


def test_empty_and_odd_input_is_judged():
    """Empty, whitespace-only and non-string input does not raise and is left to the detector."""
    assert unreadable("") is None
    assert unreadable("   \n ") is None
    assert unreadable(None) is None


def test_long_and_odd_input_is_judged_from_its_start():
    """A 40,000-character paste or prose, and odd long input, are judged from their start without
    failing (how fast is measured in benchmarks/classify_throughput.py)."""
    logs = "2024-05-01 12:00:01 ERROR worker-7 job 1234 failed: timeout after 30s\n" * 600
    prose = "We decided to keep the nightly build and drop the weekly one for now. " * 600
    odd = ("x" * 39_999, "\n" * 40_000, "a\n" * 20_000, "<http://x|" * 4_000, "<pre>" * 8_000, "if " + "a(" * 20_000,
           "中" * 40_000, "e\u0301" * 20_000, "`a" * 20_000)
    for text in odd:
        assert unreadable(text) in (None, CODE, PASTE, LINKS, NOT_ENGLISH), text[:20]
    assert unreadable(logs[:40_000]) == PASTE and unreadable(prose[:40_000]) is None


def test_almost_all_of_the_real_corpus_is_readable():
    """At most 1% of the shared corpus of real English messages is called unreadable."""
    if not CORPUS.exists():
        pytest.skip(f"the shared corpus is not at {CORPUS}")
    texts = [json.loads(line)["text"] for line in CORPUS.read_text().splitlines() if line.strip()]
    refused = [text for text in texts if unreadable(text)]
    assert len(texts) > 1000 and len(refused) <= 0.01 * len(texts), len(refused)


def test_the_engine_never_asks_about_text_it_cannot_read(engine, store, clock):
    """A decision written in German, or a code paste, is neither asked about nor logged."""
    from builders import message

    for text in ("Wir haben beschlossen, das alte Plugin nicht mehr zu unterstützen, weil es zu viel Arbeit macht.",
                 "```\nSELECT * FROM users WHERE id = 1;\nUPDATE users SET plan = 'pro' WHERE id = 2;\n```\nok"):
        assert engine.handle(message(text, clock=clock)) == []
    assert list(store.db["decisions"].rows) == []


def test_classify_says_why_it_cannot_judge_a_message(tmp_path):
    """`nudgebot classify` marks a message it cannot read with the reason, and never nudges it."""
    import subprocess
    import sys

    french = "Nous avons décidé de ne plus prendre en charge l'ancien module, c'est trop de travail."
    lines = [{"id": 1, "text": french},
             {"id": 2, "text": "We decided to drop IE11 support in March."}]
    stdin = "".join(json.dumps(x) + "\n" for x in lines)
    done = subprocess.run([sys.executable, "-m", "bot", "classify"], input=stdin, capture_output=True, text=True,
                          cwd=tmp_path, timeout=120)
    first, second = (json.loads(line) for line in done.stdout.splitlines())
    assert first["unreadable"] == NOT_ENGLISH and first["nudge"] is False and first["kind"] == "other"
    assert "unreadable" not in second and second["nudge"] is True


def test_lone_surrogates_and_control_characters_are_judged():
    """Text that is not valid Unicode (a lone surrogate) does not make the gate fail."""
    assert unreadable("\udcff\udcfe we decided \x00 to ship") is None
    assert unreadable("    x = \udcff;  y = {1: 2};\n    z = [a, b];") in (None, CODE, PASTE)
