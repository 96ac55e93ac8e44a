"""The sending ceiling: plain smtplib pushing N messages, serialised in advance, over one
connection to the sink (as /work/shared/acceptance/smtp_ceiling.py, but with the issue's
real HTML and text, so both sides carry the same bytes).

usage: python -m trials.bench.ceiling PORT N HTML_FILE TEXT_FILE
       -> prints JSON {"rate": msgs/s, ...}
"""

import json
import smtplib
import sys
import time
from email.message import EmailMessage

MARK = "zqzqzq"  # six letters no issue contains, replaced by each reader's number


def messages(n, html, text):
    """N messages, each with its own To and unsubscribe link, as bytes ready to send.

    The MIME message is built once and copied with the personal parts replaced (what a
    sender that serialises in advance does); building 10,000 EmailMessages of this size one
    by one would take minutes, and that is not what the ceiling measures.
    """
    message = EmailMessage()
    message["From"] = "Lisa's Top Ten <lisa@example.com>"
    message["To"] = f"reader{MARK}@example.com"
    message["Subject"] = "Today's Top Ten"
    message["List-Unsubscribe"] = f"<http://127.0.0.1:8000/newsletter/u/{MARK}/>"
    message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    template = message.as_bytes()
    prepared = []
    for i in range(n):
        number = f"{i:06d}".encode()
        prepared.append((f"reader{i:06d}@example.com", template.replace(MARK.encode(), number)))
    return prepared


def main(port, n, html_file, text_file):
    with open(html_file) as html, open(text_file) as text:
        prepared = messages(n, html.read(), text.read())
    server = smtplib.SMTP("127.0.0.1", port)
    started = time.perf_counter()
    for recipient, raw in prepared:
        server.sendmail("lisa@example.com", [recipient], raw)
    seconds = time.perf_counter() - started
    server.quit()
    print(
        json.dumps(
            {
                "rate": round(n / seconds, 1),
                "seconds": round(seconds, 2),
                "messages": n,
                "message_bytes": len(prepared[0][1]),
            }
        )
    )


if __name__ == "__main__":
    main(int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4])
