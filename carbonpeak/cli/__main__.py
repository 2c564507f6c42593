from carbonpeak.cli import app

app()
