"""The walkthrough's sample app: a tiny Flask service on port 8000."""
from flask import Flask

app = Flask(__name__)


@app.route("/")
def index():
    return "Hello from the cookbook!\n"


if __name__ == "__main__":
    app.run(host="0.0.0.0", port=8000)
