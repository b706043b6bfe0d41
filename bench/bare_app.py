"""The stack's ceiling: a FastAPI endpoint returning a constant small page (no database, no templates)."""
from fastapi import FastAPI
from fastapi.responses import HTMLResponse

app = FastAPI()
PAGE = "<!doctype html><html><head><title>bare</title></head><body><p>constant</p></body></html>"


@app.get("/", response_class=HTMLResponse)
def page() -> str:
    return PAGE
