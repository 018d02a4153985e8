package main

import "github.com/parleyhq/parley/runtime/provider"

// labelled is a sentence with the label a person gives it.
type labelled struct {
	text  string
	label string
}

// englishSentences are what callers say to a customer-service line; the
// first ones are request phrasing that plain VADER calls positive.
var englishSentences = []labelled{
	{"I would like to check my order", provider.Neutral},
	{"I'd like to return this lamp", provider.Neutral},
	{"id like to know where my package is", provider.Neutral},
	{"Can you please help me with my delivery", provider.Neutral},
	{"Yes please", provider.Neutral},
	{"What are your opening hours", provider.Neutral},
	{"No, I don't need anything else", provider.Neutral},
	{"I would like to speak to a person", provider.Neutral},
	{"Thank you so much, that was really helpful", provider.Positive},
	{"Thanks for your help", provider.Positive},
	{"I like this product a lot", provider.Positive},
	{"The service was great and fast", provider.Positive},
	{"Great, that's perfect, goodbye", provider.Positive},
	{"That's not bad", provider.Positive},
	{"No problem at all", provider.Positive},
	{"The delivery was late but the staff were lovely", provider.Positive},
	{"This is terrible, my package arrived broken", provider.Negative},
	{"I am very angry about the delay", provider.Negative},
	{"My order is not good at all", provider.Negative},
	{"It looks like my parcel is lost", provider.Negative},
	{"I hate waiting on hold", provider.Negative},
	{"I want a refund, the lamp came damaged", provider.Negative},
}

// koreanSentences cover plain words, the forms of negation, intensifiers,
// mitigators, contrast, and neutral requests.
var koreanSentences = []labelled{
	{"주문 상태를 확인하고 싶어요", provider.Neutral},
	{"배송이 언제 도착하나요?", provider.Neutral},
	{"상담원 연결해 주세요", provider.Neutral},
	{"환불하고 싶어요", provider.Neutral},
	{"주문을 취소하고 싶은데요", provider.Neutral},
	{"안녕하세요", provider.Neutral},
	{"안내 부탁드립니다", provider.Neutral},
	{"빨리 해결해 주세요", provider.Neutral},
	{"서비스가 정말 좋아요", provider.Positive},
	{"직원분이 친절해서 만족합니다", provider.Positive},
	{"빠른 배송 감사합니다", provider.Positive},
	{"감사합니다", provider.Positive},
	{"너무 행복해요", provider.Positive},
	{"정말 친절하시네요 고맙습니다", provider.Positive},
	{"나쁘지 않네요", provider.Positive},
	{"싫지는 않아요", provider.Positive},
	{"문제없이 잘 받았어요", provider.Positive},
	{"가격은 비싸지만 품질이 훌륭해요", provider.Positive},
	{"조금 늦었지만 괜찮아요", provider.Positive},
	{"안 좋아요", provider.Negative},
	{"안좋아요", provider.Negative},
	{"좋지 않아요", provider.Negative},
	{"만족스럽지 않습니다", provider.Negative},
	{"전혀 만족스럽지 않아요", provider.Negative},
	{"만족이 안 돼요", provider.Negative},
	{"해결되지 않았어요", provider.Negative},
	{"택배를 아직 못 받았어요", provider.Negative},
	{"결제가 안 돼요", provider.Negative},
	{"배송이 너무 느려요", provider.Negative},
	{"정말 최악이에요", provider.Negative},
	{"진짜 짜증나요", provider.Negative},
	{"제품이 고장 났어요", provider.Negative},
	{"약간 불편해요", provider.Negative},
	{"별로예요", provider.Negative},
	{"별로 안 좋아요", provider.Negative},
	{"배송이 늦어서 화가 나요", provider.Negative},
	{"배송은 빨랐지만 포장이 엉망이었어요", provider.Negative},
}
