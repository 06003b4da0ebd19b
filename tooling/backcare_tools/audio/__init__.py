"""Sound for Back Care Coach (dev tooling only, never imported by the Lambda).

- `assets`: the skill's cues (chime, hold, done) synthesised with pydub, exported as Alexa MP3.
- `mp3check`: reads MP3 frame headers and checks them against Alexa's audio rules.
- `publish`: uploads the assets to S3 under a content-addressed release prefix.
- `ssml`, `speech`, `render`: turn a response's SSML into sound with espeak-ng.
- `report`: how long every prompt takes to say, per locale.
"""
