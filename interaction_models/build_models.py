"""The one source of Back Care Coach's interaction models.

Run `python interaction_models/build_models.py` to (re)write en-US.json, en-GB.json, en-CA.json,
en-AU.json and en-IN.json next to this file. Every locale shares the common samples and slot
values below; `LOCALE_EXTRAS` adds the words that differ (bum/butt, GP, A and E, holiday, 999...).
A test checks that the committed JSON equals what this script generates, so the five files never
drift apart. Samples are lower case, spell numbers out and use no punctuation except apostrophes.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

INVOCATION_NAME = "back care coach"
LOCALES = ("en-US", "en-GB", "en-CA", "en-AU", "en-IN")
HERE = Path(__file__).resolve().parent


def lines(block: str) -> list[str]:
    """One sample or synonym per line; blank lines and surrounding spaces ignored."""
    return [line.strip() for line in block.strip().splitlines() if line.strip()]


# --- slot types -----------------------------------------------------------------------------------
# type -> value id -> (spoken name, synonyms). Ids are contracts (docs/ARCHITECTURE.md).

TIP_TOPIC: dict[str, tuple[str, str]] = {
    "movement": ("movement", """
        moving  keeping moving  keeping active  staying active  being active  activity  exercise
        walking  going for walks  bed rest  resting  rest  stay in bed  staying in bed  staying mobile  keeping mobile
    """),
    "posture": ("posture", """
        sitting  sitting properly  sitting at a desk  sitting at my desk  my desk  desk work
        working at a computer  working from home  slouching  standing up straight  my chair
        office chair  ergonomics  my workstation  driving  how to sit
    """),
    "core": ("core", """
        core strength  core muscles  core exercises  strengthening  strengthening exercises
        yoga  pilates  physical therapy  stomach muscles  tummy muscles  abs  tummy exercises
    """),
    "heat_ice": ("heat and ice", """
        heat  ice  ice packs  a hot bath  hot bath  a warm bath  warm baths  an ice pack  heat packs  a heat pack
        heating pad  a heating pad
        hot water bottle  a hot water bottle  hot and cold  heat or ice  ice or heat  cold packs
        cold compress  a cold compress  hot baths  warmth
    """),
    "pain_relief": ("pain relief", """
        painkillers  pain killers  pain medicine  pain medication  medication  medicine  ibuprofen
        anti inflammatories  anti inflammatory tablets  tablets  pills  pain relievers
        over the counter medicine  drugs for the pain  something for the pain
    """),
    "prevention": ("prevention", """
        preventing back pain  stopping it coming back  stop it coming back  stop it from coming back
        avoiding back pain  stopping back pain
        lifting  lifting things  lifting heavy things  how to lift  lift things  lifting properly  lift properly
        weight  losing weight safely
        a healthy weight  smoking  quitting smoking  sleep  sleeping  sleeping position  the best sleeping position
        how to sleep  stress  looking after my back
        keeping my back healthy  long term
    """),
}

REMINDER_KIND: dict[str, tuple[str, str]] = {
    "posture": ("posture", """
        posture breaks  posture break  my posture  sitting  breaks  break  desk  standing up
    """),
    "stretch": ("stretch", """
        stretches  stretching  my stretches  exercise  exercises  my exercises  stretch break
    """),
    "all": ("all", """
        all of them  every  every one  everything  both  both of them
    """),
}

# Symptoms: every way we could think of that people say it, without the subject ("i've", "my")
# where it can go; the ReportSymptomIntent samples add "i've", "i have", "i think" etc.
SYMPTOM: dict[str, tuple[str, str]] = {
    "bladder_bowel": ("bladder or bowel problems", """
        wet myself  wet myself without meaning to  been wetting myself  wetting myself
        peed myself  peeing myself  can't control my bladder  cannot control my bladder
        lost control of my bladder  lost bladder control  no control over my bladder
        can't control my bowels  lost control of my bowels  lost bowel control
        soiled myself  can't hold my pee  can't hold it in  leaking urine  leaking pee
        incontinence  incontinent  bladder problems  bowel problems  bladder trouble
        can't pee  can't urinate  trouble peeing  difficulty peeing  difficulty passing urine
        trouble passing urine  problems peeing  struggling to pee  can't empty my bladder
        can't tell when i need to pee  don't know when i need to pee  pee without knowing
        had an accident in my pants  lost control of my bowels and bladder
    """),
    "saddle_numbness": ("numbness around the bottom or genitals", """
        can't feel my bottom  cannot feel my bottom  lost feeling in my bottom  no feeling in my bottom  numb bottom
        a numb bottom  my bottom is numb
        my bottom feels numb  numbness around my bottom  tingling around my bottom
        can't feel my backside  numb backside  numbness between my legs  numb between my legs
        tingling between my legs  pins and needles between my legs  can't feel between my legs
        numb groin  numbness in my groin  tingling in my groin  my groin is numb
        numb private parts  numbness in my private parts  can't feel my private parts
        numb genitals  numbness around my genitals  numb inner thighs
        numbness in my inner thighs  tingling in my inner thighs  saddle numbness
        saddle area numbness  numb when i wipe  can't feel the toilet paper when i wipe
        numb down below  no feeling down below  can't feel anything down there
    """),
    "leg_weakness": ("weakness or numbness in both legs", """
        legs have gone weak  my legs have gone weak  my legs are weak  legs are weak  legs feel weak
        both legs feel weak
        both legs are weak  both my legs are weak
        weak legs  weakness in both legs  weakness in my legs  both legs are numb
        both my legs are numb  numbness in both legs  numb legs  my legs are numb
        legs have gone numb  my legs have gone numb  can't feel my legs  cannot feel my legs
        legs giving way  legs keep giving way  my legs keep giving way  legs are buckling
        legs collapsing  legs won't hold me  my legs won't hold me up  legs feel like jelly
        lost the strength in my legs  lost strength in my legs  can't stand up
        can't walk properly  can't walk  can barely walk  leg is getting weaker quickly
        my leg is getting weaker fast  leg getting weaker by the hour  legs are getting weaker
    """),
    "major_trauma": ("a serious accident or fall", """
        fell off a ladder  fell off the ladder  fell from a ladder  fell off a roof  fell off the roof
        fell down the stairs  fell down some stairs  fell from a height  had a bad fall
        had a serious fall  had a nasty fall  a bad fall  a serious fall  a big fall
        was in a car accident  a car accident  car accident  was in a car crash  a car crash
        car crash  crashed my car  was hit by a car  got hit by a car  was knocked down by a car
        was in an accident  had an accident  a serious accident  motorbike accident
        motorcycle accident  fell off my bike  came off my bike  fell off a horse
        fell off my horse  was thrown from a horse  hit my back hard  landed on my back
        slipped and fell hard  fell onto my back  was in a crash
    """),
    "chest_pain": ("chest pain", """
        chest pain  chest pains  pain in my chest  pains in my chest  my chest hurts
        my chest is hurting  a tight chest  tight chest  tightness in my chest  my chest is tight
        my chest feels tight  my chest feels heavy  pressure in my chest  heart pain
        pain in my heart  crushing pain in my chest  pain in my chest and back
    """),
    "fever": ("a fever", """
        fever  a fever  a high fever  temperature  a temperature  a high temperature
        running a temperature  running a fever  feverish  feeling feverish  hot and shivery
        feel hot and shivery  hot and cold  feel hot and cold  chills  the chills  shivers
        the shivers  shivering  burning up  i'm burning up  sweats  the sweats  night sweats
        sweating at night
    """),
    "weight_loss": ("weight loss without trying", """
        losing weight without trying  lost weight without trying  losing weight
        lost weight  lost a lot of weight  weight loss  unexplained weight loss
        lost weight for no reason  losing weight for no reason  dropping weight
        getting thinner  my clothes are getting loose  weight falling off me
        lost weight without dieting
    """),
    "cancer_history": ("a history of cancer", """
        cancer  had cancer  have had cancer  history of cancer  a history of cancer
        cancer in the past  had cancer before  been treated for cancer  had chemo
        had chemotherapy  chemotherapy  had radiotherapy  radiation treatment  breast cancer
        prostate cancer  lung cancer  bowel cancer  in remission  a cancer survivor
    """),
    "duration": ("pain lasting more than two weeks", """
        had it for weeks  had it for more than two weeks  had it for over two weeks
        had this for weeks  had the pain for weeks  pain for weeks  pain for over two weeks
        pain for more than two weeks  pain for a month  pain for months  had it for a month
        had it for months  had it for ages  been going on for weeks  been going on for ages
        been going on for a month  been hurting for weeks  been like this for weeks
        it won't go away  won't go away  not getting better  isn't getting better
        it's not improving  not improving
        hasn't got any better  not got any better  hasn't improved  lasted more than two weeks  lasted over two weeks
        pain for three weeks  had it for three weeks  been sore for weeks
    """),
    "worsening": ("pain getting worse", """
        getting worse  it's getting worse  the pain is getting worse  getting worse and worse
        it's worse  it's worse than before  worse than before  worse every day
        worse each day  the pain is increasing  pain keeps getting worse  keeps getting worse
        more painful  more painful every day  worsening  the pain is worsening
        going from bad to worse  worse today  hurting more and more
    """),
    "radiating": ("pain spreading down a leg", """
        pain down my leg  pain going down my leg  pain shooting down my leg
        shooting pain down my leg  shooting pain in my leg  shooting pains  shooting pains in my leg
        sciatica  pain in my leg  leg pain  pain running down my leg  pain radiating down my leg
        pain spreading down my leg  pain down the back of my leg  pain in my buttock and leg
        nerve pain down my leg  pain from my back down my leg  pain goes into my leg
        pain going into my leg  it goes down my leg  it shoots down my leg  sciatic pain
        pain down my thigh
    """),
    "one_leg_numbness": ("numbness or weakness in one leg or foot", """
        numbness in one leg  one leg is numb  one of my legs is numb  my leg is numb  a numb leg
        numb leg  numbness in my leg  my foot is numb  numb foot  a numb foot  numbness in my foot
        numb toes  my toes are numb  toes are numb  toes are tingling  tingling in my leg  tingling in my foot
        pins and needles in my leg
        pins and needles in my foot  one leg is weak  weakness in one leg  my leg feels weak
        one leg feels weak  weak foot  my foot is weak  foot drop  dragging my foot
        tingly leg  tingly foot  can't feel my foot  can't feel my toes
    """),
    "osteoporosis": ("osteoporosis", """
        osteoporosis  thin bones    weak bones  brittle bones  osteopenia  low bone density
        fragile bones  bone thinning  thinning bones
    """),
    "sleep_daily": ("pain stopping sleep or daily life", """
        can't sleep  cannot sleep  can't sleep because of the pain  can't sleep with the pain  the pain keeps me awake
        it keeps me awake  keeps me awake at night  keeping me awake  wakes me up at night
        it wakes me up at night  wakes me up  it wakes me up  the pain wakes me up  pain at night
        can't get comfortable at night
        can't work  can't go to work  can't do my job  can't do anything  stops me doing things
        it stops me doing things  can't do my daily activities  can't do normal things
        can't get out of bed  can barely get out of bed  it's stopping me from working
        can't look after my kids  can't do the housework  can't get dressed
    """),
}


def split_values(block: str) -> list[str]:
    """Values are separated by two or more spaces or new lines (they contain single spaces)."""
    import re

    return [item.strip() for item in re.split(r"\s{2,}|\n", block.strip()) if item.strip()]


# --- intents --------------------------------------------------------------------------------------

SLOTS: dict[str, list[tuple[str, str]]] = {
    "SelfCareTipsIntent": [("topic", "TIP_TOPIC")],
    "SetPostureReminderIntent": [("interval", "AMAZON.DURATION"), ("startTime", "AMAZON.TIME"),
                                 ("endTime", "AMAZON.TIME")],
    "SetStretchReminderIntent": [("time", "AMAZON.TIME")],
    "CancelRemindersIntent": [("kind", "REMINDER_KIND")],
    "ReportSymptomIntent": [("symptom", "SYMPTOM")],
}

SAMPLES: dict[str, str] = {
    "CheckSymptomsIntent": """
        is my back pain serious
        check if i need a doctor
        check whether i need to see someone
        should i go to hospital with my back
        my back is really painful is it serious
        is this something to worry about
        is it something i should worry about
        should i be concerned about my back
        can you check me
        check me
        go through the questions
        take me through the questions
        do the check
        let's do the check
        i'd like to do the check
        is my back ok
        is my back alright
        do i need help with my back
        do i need to get help
        i need to know if my back pain is serious
        i want to find out if it's serious
        is my back pain something serious
        could my back pain be serious
        could my back pain be something serious
        check my back
        check my back pain
        check my symptoms
        check my back for me
        can you check my back
        please check my back pain
        i want to check my back pain
        i want to check my symptoms
        let's check my back
        start the check
        start the back check
        start a symptom check
        run the check
        run the red flag check
        do the red flag check
        do a back pain check
        check me for red flags
        check me for warning signs
        ask me the questions
        ask me the red flag questions
        my back is killing me is it serious
        my back is killing me should i be worried
        my back really hurts is it serious
        my back hurts is it serious
        my back hurts should i be worried
        my back hurts is it bad
        i've hurt my back is it serious
        i hurt my back is it bad
        is it serious
        is this serious
        is it something serious
        is it bad
        how serious is my back pain
        how bad is my back pain
        how worried should i be about my back
        should i be worried about my back
        should i worry about my back pain
        should i be worried about this pain
        is my back pain dangerous
        is my back pain an emergency
        is this back pain an emergency
        is this back pain normal
        is my back pain normal
        is something wrong with my back
        is there something wrong with my back
        do i need medical help for my back
        do i need urgent help
        do i need to go to hospital
        do i need to go to the hospital
        find out if my back pain is serious
        help me work out how serious my back pain is
        tell me if my back pain is serious
        assess my back pain
        assess my back
        triage my back pain
        can you tell me if it's serious
        my lower back is agony is it serious
        my back is in agony should i worry
        i think something is wrong with my back
    """,
    "UnsureIntent": """
        i don't know
        it's possible
        that's possible
        sometimes
        it comes and goes
        on and off
        now and then
        i think maybe
        maybe yes
        maybe not
        i'm not sure what you mean
        no clue
        not a clue
        i haven't a clue
        i couldn't tell you
        who knows
        i do not know
        i don't really know
        i really don't know
        i'm not sure
        i am not sure
        i'm not really sure
        not sure
        not really sure
        not too sure
        i'm unsure
        unsure
        maybe
        maybe a bit
        perhaps
        possibly
        could be
        it could be
        might be
        it might be
        maybe i have
        maybe i do
        i might have
        i might do
        i can't remember
        i don't remember
        i can't tell
        it's hard to tell
        hard to say
        it's hard to say
        i have no idea
        no idea
        dunno
        i dunno
        i'm not certain
        not certain
        i guess maybe
        sort of
        kind of
        a little
        a little bit
        i think so but i'm not sure
        i'm not sure what to say
        i can't say for sure
        i couldn't say
        i'm not a hundred percent sure
        i'm in two minds
        i haven't checked
        i'm not sure if i have
    """,
    "WhyAskIntent": """
        why do you ask
        how is that related to my back
        how's that related
        what's that got to do with it
        why are you asking
        why are you asking me that
        why do you ask that
        why ask that
        why ask me that
        why do you need to know
        why do you want to know
        why does that matter
        why does it matter
        why is that important
        why is that relevant
        how is that relevant
        what does that have to do with it
        what does that have to do with my back
        what's that got to do with my back
        what has that got to do with anything
        why that question
        why this question
        what's the point of that question
        what's the reason for that question
        tell me why you're asking
        explain why you're asking
        why are you asking about that
        why would that matter
        what difference does that make
        how does that affect my back
        what's that got to do with back pain
        why is that a warning sign
        why is that a red flag
    """,
    "SelfCareTipsIntent": """
        give me tips about {topic}
        what's the best {topic} for back pain
        should i {topic}
        is {topic} ok
        what {topic} can i take
        can i take {topic}
        which {topic} should i take
        is {topic} good for my back
        is {topic} good for back pain
        how do i do {topic} properly
        what can i do myself
        what can i do to help myself
        give me tips on {topic}
        give me a tip about {topic}
        give me some tips about {topic}
        give me some advice about {topic}
        give me advice on {topic}
        tips about {topic}
        tips on {topic}
        tips for {topic}
        any tips on {topic}
        a tip about {topic}
        tell me about {topic}
        tell me more about {topic}
        what should i know about {topic}
        what do you recommend for {topic}
        what can you tell me about {topic}
        help me with {topic}
        help with {topic}
        advice about {topic}
        i want tips on {topic}
        i'd like some tips on {topic}
        i'd like advice about {topic}
        how can {topic} help my back
        does {topic} help back pain
        should i use {topic}
        give me tips
        give me a tip
        give me some tips
        give me some advice
        tips
        self care
        self care tips
        self care advice
        back care tips
        tips for back pain
        tips for my back
        advice for back pain
        i want some tips
        i'd like some advice
        how can i look after my back
        how do i look after my back
        how can i help my back
        how can i ease my back pain
        how do i ease the pain
        how can i relieve my back pain
        how do i get rid of back pain
        what can i do about my back pain
        what can i do for my back
        what can i do to help my back
        what can i do at home for back pain
        what should i do for my back pain
        what should i do about my sore back
        what helps back pain
        what helps a sore back
        what's good for back pain
        what's good for a bad back
        what can i do to make it better
        how can i make my back feel better
        home remedies for back pain
        how do i treat back pain at home
        how can i stop my back hurting
    """,
    "CausesIntent": """
        what causes back pain
        what are the reasons for back pain
        reasons for back pain
        why my back hurts
        why my back hurts so much
        why my back aches
        what is causing my back pain
        is it normal to get back pain
        is it normal to have back pain
        can you get back pain from sitting
        why is my back hurting
        why has my back started to hurt
        why do i get back pain
        why do i get a bad back
        why does my back ache
        what causes lower back pain
        what can cause back pain
        what are the causes of back pain
        what are the common causes of back pain
        what's causing my back pain
        what could be causing my back pain
        what might be causing this pain
        why does my back hurt
        why does my back hurt so much
        why does my lower back hurt
        why is my back so sore
        why is my back sore
        why have i got back pain
        why do i have back pain
        why do i keep getting back pain
        why does my back keep hurting
        why won't my back pain go away
        why is my back pain not going away
        why do backs hurt
        why does back pain happen
        why do people get back pain
        where does back pain come from
        how do people hurt their backs
        what makes your back hurt
        what is chronic back pain
        can stress cause back pain
        can sitting cause back pain
        can sitting too much hurt my back
        can bad posture cause back pain
        could it be my disc
        could it be a slipped disc
        is it a slipped disc
        what is a slipped disc
        what is sciatica
        what is a herniated disc
        can arthritis cause back pain
        is back pain caused by arthritis
        explain back pain to me
        tell me about the causes of back pain
        why is my back stiff in the morning
        how did i hurt my back
        what did i do to my back
    """,
    "WhenToSeeDoctorIntent": """
        when should i see a doctor
        should i make an appointment
        should i book an appointment with my doctor
        what treatments can i get
        what treatment will i get
        when should i see a doctor about my back
        when should i go to the doctor
        when should i get my back checked
        when should i get my back looked at
        when do i need a doctor
        when do i need to see a doctor
        when is it time to see a doctor
        should i see a doctor
        should i see a doctor about my back
        should i go to the doctor
        do i need to see a doctor
        do i need to see a doctor about my back
        do i need a doctor
        how long should i wait before seeing a doctor
        how long before i should see a doctor
        how long should back pain last before i see a doctor
        what will a doctor do
        what will the doctor do for my back
        what can a doctor do for back pain
        what would a doctor do about my back
        what happens at the doctor
        will the doctor give me anything
        what treatments are there for back pain
        what treatment can i get for back pain
        will i need a scan
        will i need an x ray
        will i need an mri
        will i need surgery
        do i need surgery for my back
        will they operate on my back
        will i need injections
        should i see a physical therapist
        should i see a specialist
        will i be referred to a specialist
    """,
    "WarningSignsIntent": """
        what are the warning signs
        what are the warning signs of serious back pain
        what are the red flags
        what are the red flags for back pain
        what are the red flag symptoms
        what are the danger signs
        tell me the warning signs
        tell me the danger signs
        list the warning signs
        which symptoms are an emergency
        which symptoms are serious
        which back pain symptoms are dangerous
        what symptoms are serious
        what symptoms should worry me
        what symptoms mean it's an emergency
        when is back pain an emergency
        when is back pain serious
        when is back pain dangerous
        what counts as an emergency
        what should i look out for
        what should i watch out for
        what signs should i look out for
        what signs mean i need help now
        when should i call an ambulance
        when do i need an ambulance
        when should i go to the emergency department
        when should i go to hospital
        when should i go to the hospital
        what are the serious symptoms
        what are the emergency signs
        how do i know if it's an emergency
        how do i know if my back pain is serious
        how can i tell if back pain is serious
    """,
    "StartStretchesIntent": """
        guide me through stretches
        loosen up my back
        i want to loosen up
        help me loosen up my back
        i'd like to do some exercises
        i'd like to do some stretches
        i want to do some back exercises
        can we stretch
        can we do some stretches
        guide me through some stretches
        guide me through the stretches
        guide me through a stretch routine
        walk me through some stretches
        walk me through the stretches
        take me through some stretches
        start the stretches
        start stretches
        start stretching
        start the stretch routine
        start the stretching routine
        start a stretching session
        begin the stretches
        let's stretch
        let's do some stretches
        let's do the stretches
        let's do some back stretches
        stretch with me
        do some stretches with me
        i want to do some stretches
        i want to stretch
        i'd like to stretch my back
        i need to stretch my back
        help me stretch
        help me stretch my back
        show me some stretches
        teach me some stretches
        teach me some back stretches
        what stretches can i do
        what stretches are good for back pain
        are there any stretches i can do
        give me some stretches
        give me some exercises for my back
        what exercises can i do for my back
        what exercises help back pain
        let's do some back exercises
        start the exercises
        do the exercises
        stretches
        stretching
        back stretches
        stretch routine
        a stretching routine please
        can we do the stretches now
        let's do the stretching routine
    """,
    "SetPostureReminderIntent": """
        remind me to check my posture
        remind me to check my posture every {interval}
        remind me every {interval} to check my posture
        remind me to check my posture from {startTime} to {endTime}
        remind me to check my posture every {interval} from {startTime} to {endTime}
        remind me to check my posture between {startTime} and {endTime}
        remind me to check my posture every {interval} between {startTime} and {endTime}
        remind me to check my posture starting at {startTime}
        remind me to check my posture until {endTime}
        remind me about my posture
        remind me about my posture every {interval}
        remind me to sit up straight
        remind me to sit up straight every {interval}
        remind me to sit properly
        remind me not to slouch
        remind me to stop slouching
        remind me to take a break every {interval}
        remind me to take breaks
        remind me to take a posture break
        remind me to take posture breaks every {interval}
        remind me to get up every {interval}
        remind me to get up from my desk
        remind me to stand up every {interval}
        remind me to move every {interval}
        remind me to move around
        set a posture reminder
        set a posture reminder every {interval}
        set a posture reminder from {startTime} to {endTime}
        set up posture reminders
        set up posture break reminders
        set posture reminders every {interval}
        posture reminder
        posture reminders
        posture reminders every {interval}
        posture reminders from {startTime} to {endTime}
        posture reminders starting at {startTime}
        posture break reminders
        i want posture reminders
        i'd like a posture reminder
        i want reminders to check my posture
        can you remind me about my posture
        can you remind me to sit up straight every {interval}
        nudge me to fix my posture
        nudge me every {interval} to sit up
        help me remember to sit properly
        every {interval} remind me to check my posture
        give me posture breaks every {interval}
        remind me to take a break from the computer
        remind me to take a break from sitting
    """,
    "SetStretchReminderIntent": """
        remind me to stretch
        stretching reminder
        a stretching reminder
        stretching reminders
        remind me to stretch at {time}
        remind me to stretch every day
        remind me to stretch every day at {time}
        remind me every day at {time} to stretch
        remind me at {time} to stretch
        remind me to do my stretches
        remind me to do my stretches at {time}
        remind me to do my stretches every day
        remind me at {time} to do my stretches
        remind me to do my back stretches
        remind me to do my exercises
        remind me to do my exercises at {time}
        remind me to do my back exercises every day
        set a stretch reminder
        set a stretch reminder for {time}
        set a stretch reminder at {time}
        set a daily stretch reminder
        set a daily stretch reminder for {time}
        set up a stretching reminder
        set a reminder for my stretches
        set a reminder to stretch at {time}
        stretch reminder
        stretch reminder at {time}
        a daily stretch reminder
        daily reminder to stretch
        daily stretching reminder at {time}
        i want a reminder to stretch
        i want a stretch reminder at {time}
        i'd like a reminder to stretch every day
        can you remind me to stretch
        can you remind me to stretch at {time}
        please remind me to stretch at {time}
        every day at {time} remind me to stretch
        remind me to stretch in the {time}
        remind me to stretch each {time}
    """,
    "ListRemindersIntent": """
        what reminders do i have
        when will my reminders go off
        what time are my reminders
        what reminders have you set
        what reminders have you set up
        what reminders are set
        which reminders do i have
        which reminders have you set
        which reminders are on
        list my reminders
        list the reminders
        tell me my reminders
        read my reminders
        read out my reminders
        what are my reminders
        do i have any reminders
        have i got any reminders
        are there any reminders set
        check my reminders
        show my reminders
        show me my reminders
        when are my reminders
        when will you remind me
        what times will you remind me
        what have you set up for me
        which reminders are active
        am i getting any reminders
        my reminders
        reminders
    """,
    "CancelRemindersIntent": """
        cancel my reminders
        cancel the reminders
        cancel my {kind} reminders
        cancel my {kind} reminder
        cancel the {kind} reminder
        cancel the {kind} reminders
        cancel {kind} reminders
        cancel {kind} my reminders
        cancel {kind} of my reminders
        delete my reminders
        delete my {kind} reminder
        delete my {kind} reminders
        delete {kind} my reminders
        remove my reminders
        remove my {kind} reminder
        remove {kind} reminders
        turn off my reminders
        turn off the reminders
        turn off my {kind} reminders
        turn off {kind} reminders
        switch off the reminders
        switch off my {kind} reminders
        stop the reminders
        stop my {kind} reminders
        stop the {kind} reminders
        stop reminding me
        stop reminding me about {kind}
        stop reminding me to {kind}
        stop reminding me to do my {kind}
        stop the {kind} reminders please
        don't remind me anymore
        don't remind me about {kind} anymore
        i don't want any more reminders
        i don't want {kind} reminders anymore
        i don't want the {kind} reminders
        no more reminders
        no more {kind} reminders
        get rid of my reminders
        get rid of my {kind} reminders
        clear my reminders
        clear {kind} my reminders
        unsubscribe me from the reminders
        unsubscribe me from {kind} reminders
    """,
    "DeleteMyDataIntent": """
        delete my data
        get rid of my data
        get rid of everything you know about me
        delete all my data
        delete my information
        delete my details
        delete everything you know about me
        delete everything you have on me
        delete everything you've stored about me
        erase my data
        erase everything about me
        wipe my data
        clear my data
        clear my information
        remove my data
        remove my information
        remove everything you've saved about me
        forget me
        forget about me
        forget everything about me
        forget what you know about me
        forget all about me
        i want you to forget me
        please forget me
        reset my profile
        reset my data
        delete my profile
        delete my history
        erase my history
        wipe everything you know about me
        don't keep my data
        i want my data deleted
    """,
    "ReportSymptomIntent": """
        {symptom}
        i {symptom}
        i had {symptom}
        i had {symptom} years ago
        {symptom} a few years ago
        the pain {symptom}
        the pain is {symptom}
        i {symptom} because of the pain
        i {symptom} because of it
        i've {symptom}
        i have {symptom}
        i've got {symptom}
        i have got {symptom}
        i've been {symptom}
        i'm {symptom}
        i keep {symptom}
        i also {symptom}
        i've also got {symptom}
        i've also {symptom}
        i think i've {symptom}
        i think i have {symptom}
        i think i {symptom}
        i'm worried i've {symptom}
        i've noticed {symptom}
        i've started {symptom}
        i get {symptom}
        there's {symptom}
        and {symptom}
        also {symptom}
        but i've {symptom}
        but i have {symptom}
        but i {symptom}
        yes i {symptom}
        my back hurts and i {symptom}
        my back hurts and i've {symptom}
        my back hurts and i have {symptom}
        my back is sore and i've got {symptom}
        my back pain started after i {symptom}
        it started after i {symptom}
        it started when i {symptom}
        it happened after {symptom}
        i hurt my back when i {symptom}
        i hurt my back in {symptom}
        the pain started after {symptom}
        my back hurts
        my back has been sore
        my back's been hurting
        my back has been hurting
        my back is aching
        i've done my back in
        i've done something to my back
        my back's really bad
        my back is bad
        my back is sore
        my back is really sore
        my back aches
        my lower back hurts
        my lower back is sore
        my back is killing me
        my back is stiff
        i've got back pain
        i have back pain
        i've got a bad back
        i have a bad back
        i've hurt my back
        i hurt my back
        i've put my back out
        i think i've pulled a muscle in my back
        i pulled a muscle in my back
        i tweaked my back
        i strained my back
        i've got lower back pain
        i'm in a lot of pain
        i'm in pain
    """,
}

BUILT_INS = (
    "AMAZON.HelpIntent", "AMAZON.StopIntent", "AMAZON.CancelIntent", "AMAZON.NavigateHomeIntent",
    "AMAZON.FallbackIntent", "AMAZON.YesIntent", "AMAZON.NoIntent", "AMAZON.RepeatIntent",
    "AMAZON.StartOverIntent", "AMAZON.NextIntent", "AMAZON.PauseIntent", "AMAZON.ResumeIntent",
)

# --- locale differences ---------------------------------------------------------------------------
# Added to the common samples / synonyms. Keep these to words that really differ by country.

_BUM = """
    can't feel my bum  cannot feel my bum  numb bum  a numb bum  my bum is numb  my bum feels numb
    numbness around my bum  tingling around my bum  pins and needles in my bum  lost feeling in my bum
    no feeling in my bum
"""
_BUTT = """
    can't feel my butt  numb butt  my butt is numb  numbness around my butt  tingling in my butt
"""
_WEE = """
    wet myself when i didn't mean to  can't wee  trouble weeing  can't hold my wee  weeing myself
    pooed myself  can't control when i go to the toilet  can't go to the toilet  can't use the toilet
"""
_PEE_US = """
    pooped myself  can't go to the bathroom  can't control when i go to the bathroom
    peed my pants  wet my pants
"""

LOCALE_EXTRAS: dict[str, dict[str, dict[str, str]]] = {
    "en-US": {
        "samples": {
            "CheckSymptomsIntent": """
                do i need to go to the e r
                do i need to go to the emergency room
                should i go to the e r
                should i go to the emergency room
                should i go to urgent care
            """,
            "WarningSignsIntent": """
                when should i call nine one one
                when should i go to the emergency room
                when should i go to the e r
            """,
            "WhenToSeeDoctorIntent": """
                should i see a physical therapist about my back
                when should i go to urgent care
                should i see a chiropractor
            """,
            "CancelRemindersIntent": """
                i'm going on vacation so cancel my reminders
                pause my reminders while i'm on vacation
                i'm on vacation stop the reminders
            """,
        },
        "values": {
            "SYMPTOM": {"saddle_numbness": _BUTT, "bladder_bowel": _PEE_US},
            "TIP_TOPIC": {"pain_relief": "acetaminophen  advil  tylenol",
                          "heat_ice": "a heating pad  ice pack"},
        },
    },
    "en-CA": {
        "samples": {
            "CheckSymptomsIntent": """
                do i need to go to the emergency room
                should i go to the emergency room
                should i go to a walk in clinic
            """,
            "WarningSignsIntent": """
                when should i call nine one one
                when should i go to the emergency room
            """,
            "WhenToSeeDoctorIntent": """
                should i see my family doctor
                when should i go to a walk in clinic
                should i see a physiotherapist
            """,
            "CancelRemindersIntent": """
                i'm going on vacation so cancel my reminders
                i'm going on holiday so cancel my reminders
                pause my reminders while i'm on vacation
            """,
        },
        "values": {
            "SYMPTOM": {"saddle_numbness": _BUM + _BUTT,
                        "bladder_bowel": "can't go to the washroom  pooped myself  wet my pants"},
            "TIP_TOPIC": {"pain_relief": "acetaminophen  advil  tylenol", "core": "physio  physiotherapy"},
        },
    },
    "en-GB": {
        "samples": {
            "CheckSymptomsIntent": """
                do i need to go to a and e
                should i go to a and e
                do i need to go to casualty
                should i call one one one
                my back's killing me is it serious
            """,
            "WarningSignsIntent": """
                when should i call nine nine nine
                when should i dial nine nine nine
                when should i go to a and e
                when should i go to casualty
            """,
            "WhenToSeeDoctorIntent": """
                when should i see my g p
                when should i see a g p
                should i see my g p
                should i go to my g p
                should i see my g p about my back
                what will my g p do
                should i see a physio
                will my g p refer me
            """,
            "CancelRemindersIntent": """
                i'm going on holiday so cancel my reminders
                pause my reminders while i'm on holiday
                i'm on holiday stop the reminders
            """,
        },
        "values": {
            "SYMPTOM": {"saddle_numbness": _BUM, "bladder_bowel": _WEE,
                        "cancer_history": "a tumour  had a tumour"},
            "TIP_TOPIC": {"pain_relief": "paracetamol  nurofen", "core": "physio  physiotherapy",
                          "heat_ice": "a wheat bag  wheat bag"},
        },
    },
    "en-AU": {
        "samples": {
            "CheckSymptomsIntent": """
                do i need to go to the emergency department
                should i go to emergency
                should i call healthdirect
                my back's killing me is it serious
            """,
            "WarningSignsIntent": """
                when should i call triple zero
                when should i dial triple zero
                when should i call zero zero zero
                when should i go to emergency
            """,
            "WhenToSeeDoctorIntent": """
                when should i see my g p
                when should i see a g p
                should i see my g p
                should i go to the g p
                should i see a physio
                will my g p refer me
            """,
            "CancelRemindersIntent": """
                i'm going on holiday so cancel my reminders
                pause my reminders while i'm on holidays
                i'm on holidays stop the reminders
            """,
        },
        "values": {
            "SYMPTOM": {"saddle_numbness": _BUM, "bladder_bowel": _WEE,
                        "cancer_history": "a tumour  had a tumour"},
            "TIP_TOPIC": {"pain_relief": "paracetamol  nurofen  panadol", "core": "physio  physiotherapy",
                          "heat_ice": "a wheat bag  wheat bag"},
        },
    },
    "en-IN": {
        "samples": {
            "CheckSymptomsIntent": """
                do i need to go to the hospital casualty
                should i go to the emergency ward
            """,
            "WarningSignsIntent": """
                when should i call one one two
                when should i go to the emergency ward
            """,
            "WhenToSeeDoctorIntent": """
                should i consult a doctor
                when should i consult a doctor
                should i see an orthopaedic doctor
            """,
            "CancelRemindersIntent": """
                i'm going on holiday so cancel my reminders
                i'm going on leave so stop my reminders
            """,
        },
        "values": {
            "SYMPTOM": {"saddle_numbness": _BUM,
                        "bladder_bowel": "can't go to the toilet  can't pass urine  urine leaking",
                        "cancer_history": "a tumour  had a tumour"},
            "TIP_TOPIC": {"pain_relief": "paracetamol  crocin  a pain balm", "core": "physio  physiotherapy",
                          "heat_ice": "hot fomentation"},
        },
    },
}

SLOT_TYPES = {"TIP_TOPIC": TIP_TOPIC, "REMINDER_KIND": REMINDER_KIND, "SYMPTOM": SYMPTOM}


def _unique(items: list[str]) -> list[str]:
    seen: set[str] = set()
    result = []
    for item in items:
        if item.lower() not in seen:
            seen.add(item.lower())
            result.append(item)
    return result


def build_model(locale: str) -> dict:
    extras = LOCALE_EXTRAS[locale]
    intents = []
    for name, block in SAMPLES.items():
        samples = lines(block) + lines(extras.get("samples", {}).get(name, ""))
        intent: dict = {"name": name, "samples": _unique(samples)}
        if name in SLOTS:
            intent["slots"] = [{"name": slot, "type": type_} for slot, type_ in SLOTS[name]]
        intents.append(intent)
    intents += [{"name": name, "samples": []} for name in BUILT_INS]

    types = []
    for type_name, values in SLOT_TYPES.items():
        extra_values = extras.get("values", {}).get(type_name, {})
        built_values = []
        for value_id, (spoken, synonyms) in values.items():
            words = split_values(synonyms) + split_values(extra_values.get(value_id, ""))
            words = [w for w in _unique(words) if w.lower() != spoken.lower()]
            built_values.append({"id": value_id, "name": {"value": spoken, "synonyms": words}})
        types.append({"name": type_name, "values": built_values})

    return {
        "interactionModel": {
            "languageModel": {"invocationName": INVOCATION_NAME, "intents": intents, "types": types}
        },
        "version": "1",
    }


def render(locale: str) -> str:
    return json.dumps(build_model(locale), indent=2, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    out_dir = Path(argv[0]) if argv else HERE
    for locale in LOCALES:
        (out_dir / f"{locale}.json").write_text(render(locale), encoding="utf-8")
        print(f"wrote {out_dir / f'{locale}.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
